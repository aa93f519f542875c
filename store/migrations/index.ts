/** Numbered data migrations, applied once each after the schema sync (see ../migrate.ts). */
import type { Migration } from "../migrate.ts";
import { protectAdoptedSecrets } from "./0001_protect_adopted_secrets.ts";

export const migrations: Migration[] = [protectAdoptedSecrets];
