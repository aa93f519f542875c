/** Numbered data migrations, applied once each around the schema sync (see ../migrate.ts). */
import type { Migration } from "../migrate.ts";
import { protectAdoptedSecrets } from "./0001_protect_adopted_secrets.ts";
import { consoleSessionsOwnTable } from "./0002_console_sessions_own_table.ts";
import { channelOpenAiOrganization } from "./0003_channel_open_ai_organization.ts";
import { hashRedemptionCodes } from "./0004_hash_redemption_codes.ts";
import { encryptNotifySecrets } from "./0005_encrypt_notify_secrets.ts";
import { widenChannelKey } from "./0006_widen_channel_key.ts";
import { twoFaPasskeyDatetimes } from "./0007_two_fa_passkey_datetimes.ts";

export const migrations: Migration[] = [
  protectAdoptedSecrets,
  consoleSessionsOwnTable,
  channelOpenAiOrganization,
  hashRedemptionCodes,
  encryptNotifySecrets,
  widenChannelKey,
  twoFaPasskeyDatetimes,
];
