/**
 * Rollback to New API: writes the secrets this gateway protects back in the form New API reads them, in
 * place, in one transaction. Token keys come back from `key_sealed` (bare, without `sk-`, as New API
 * stores them) and console access tokens from `access_token_sealed`, channel keys and users'
 * notification secrets are decrypted. What cannot come back is counted: tokens and access tokens without
 * a sealed copy (adopted or made before the copy was kept) and unused redemption codes (only hashes). The migrations that protect these secrets are marked
 * pending again, so starting this gateway on the database later protects them once more.
 */
import { asInt, asJsonObject, type Db } from "./db.ts";
import { openAccessToken, openTokenKey } from "../crypto/token_key_seal.ts";
import { decryptChannelKey, isEncrypted } from "../crypto/channel_key.ts";
import { openSettingSecrets } from "../notify/setting_secrets.ts";
import { isHashed } from "../crypto/token_key.ts";
import { foldAllLeases } from "./quota_leases.ts";
import type { UserSetting } from "../notify/user_setting.ts";

export interface NewApiExport {
  tokens: number;
  tokensWithoutCopy: number;
  channels: number;
  userSettings: number;
  accessTokens: number;
  accessTokensLost: number;
  redemptionCodesLost: number;
}

const PROTECTING_MIGRATIONS = [
  "0001_protect_adopted_secrets",
  "0004_hash_redemption_codes",
  "0005_encrypt_notify_secrets",
];

export async function exportToNewApi(db: Db, cryptoSecret: string): Promise<NewApiExport> {
  return await db.transaction(async (tx) => {
    const out: NewApiExport = {
      tokens: 0,
      tokensWithoutCopy: 0,
      channels: 0,
      userSettings: 0,
      accessTokens: 0,
      accessTokensLost: 0,
      redemptionCodesLost: 0,
    };
    // New API reads the balance columns only: quota still leased out (instances killed) goes back first.
    await foldAllLeases(tx);
    const tokens = await tx.query<{ id: number; key: string | null; key_sealed: string | null }>(
      `SELECT id, "key", key_sealed FROM tokens`,
    );
    for (const t of tokens) {
      if (!t.key || !isHashed(t.key.trimEnd())) continue;
      if (!t.key_sealed) {
        out.tokensWithoutCopy++;
        continue;
      }
      await tx.exec(`UPDATE tokens SET "key" = ? WHERE id = ?`, [
        openTokenKey(cryptoSecret, t.key_sealed),
        asInt(t.id),
      ]);
      out.tokens++;
    }
    const channels = await tx.query<{ id: number; key: string }>(`SELECT id, "key" FROM channels`);
    for (const c of channels) {
      if (!c.key || !isEncrypted(c.key)) continue;
      await tx.exec(`UPDATE channels SET "key" = ? WHERE id = ?`, [
        decryptChannelKey(cryptoSecret, c.key),
        asInt(c.id),
      ]);
      out.channels++;
    }
    const users = await tx.query<{ id: number; setting: string | null }>(
      "SELECT id, setting FROM users WHERE setting IS NOT NULL AND setting <> ''",
    );
    for (const u of users) {
      const setting = asJsonObject(u.setting);
      const opened = openSettingSecrets(cryptoSecret, setting as UserSetting);
      if (JSON.stringify(opened) === JSON.stringify(setting)) continue;
      await tx.exec("UPDATE users SET setting = ? WHERE id = ?", [JSON.stringify(opened), asInt(u.id)]);
      out.userSettings++;
    }
    const holders = await tx.query<{ id: number; access_token_sealed: string | null }>(
      "SELECT id, access_token_sealed FROM users WHERE access_token_hash IS NOT NULL AND access_token_hash <> ''",
    );
    for (const u of holders) {
      if (!u.access_token_sealed) {
        out.accessTokensLost++;
        continue;
      }
      await tx.exec("UPDATE users SET access_token = ? WHERE id = ?", [
        openAccessToken(cryptoSecret, u.access_token_sealed),
        asInt(u.id),
      ]);
      out.accessTokens++;
    }
    out.redemptionCodesLost = (await tx.query(
      `SELECT id FROM redemptions WHERE "key" LIKE 'h1:%' AND status = 1 AND deleted_at IS NULL`,
    )).length;
    for (const id of PROTECTING_MIGRATIONS) await tx.exec("DELETE FROM schema_migrations WHERE id = ?", [id]);
    return out;
  });
}
