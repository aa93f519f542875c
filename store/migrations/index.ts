/** Numbered data migrations, applied once each after the schema sync (see ../migrate.ts). */
import type { Migration } from "../migrate.ts";

export const migrations: Migration[] = [];
