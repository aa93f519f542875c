/**
 * Adopting a New API database: its token keys and console access tokens are stored in plaintext and its
 * channel keys unencrypted. This migration replaces token keys with their keyed hash (the keys keep
 * working: clients send the plaintext, we hash it), moves access tokens to `access_token_hash`, and
 * encrypts channel keys. Each token key and access token is also kept encrypted (`key_sealed`, `access_token_sealed`), so a rollback
 * (`deno task export-new-api`, store/new_api_export.ts) can write it back. Rows already protected are left
 * alone.
 */
import type { Migration } from "../migrate.ts";
import { asInt } from "../db.ts";
import { hashTokenKey, hashWithPurpose, isHashed, maskTokenKey } from "../../crypto/token_key.ts";
import { encryptChannelKey, isEncrypted } from "../../crypto/channel_key.ts";
import { sealAccessToken, sealTokenKey } from "../../crypto/token_key_seal.ts";

export const protectAdoptedSecrets: Migration = {
  id: "0001_protect_adopted_secrets",
  async up(tx, { secrets }) {
    const tokens = await tx.query<{ id: number; key: string }>(
      `SELECT id, "key" FROM tokens WHERE "key" IS NOT NULL AND "key" <> '' AND "key" NOT LIKE 'h1:%'`,
    );
    for (const t of tokens) {
      if (isHashed(t.key)) continue;
      const bare = t.key.startsWith("sk-") ? t.key.slice(3) : t.key;
      await tx.exec(`UPDATE tokens SET "key" = ?, key_hint = ?, key_sealed = ? WHERE id = ?`, [
        hashTokenKey(secrets.cryptoSecret, bare),
        maskTokenKey(bare),
        sealTokenKey(secrets.cryptoSecret, bare),
        asInt(t.id),
      ]);
    }
    const users = await tx.query<{ id: number; access_token: string }>(
      "SELECT id, access_token FROM users WHERE access_token IS NOT NULL AND access_token <> ''",
    );
    for (const u of users) {
      await tx.exec(
        "UPDATE users SET access_token_hash = ?, access_token_sealed = ?, access_token = NULL WHERE id = ?",
        [
          hashWithPurpose(secrets.cryptoSecret, "access-token-hash", u.access_token.trim()),
          sealAccessToken(secrets.cryptoSecret, u.access_token.trim()),
          asInt(u.id),
        ],
      );
    }
    const channels = await tx.query<{ id: number; key: string }>(
      `SELECT id, "key" FROM channels WHERE "key" IS NOT NULL AND "key" <> '' AND "key" NOT LIKE 'enc:v1:%'`,
    );
    for (const c of channels) {
      if (isEncrypted(c.key)) continue;
      await tx.exec(`UPDATE channels SET "key" = ? WHERE id = ?`, [
        encryptChannelKey(secrets.cryptoSecret, c.key),
        asInt(c.id),
      ]);
    }
  },
};
