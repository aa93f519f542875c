/**
 * Adopting a New API database: its redemption codes are stored in plaintext. This migration replaces each
 * with its keyed hash in place (`h1:` + 29 characters, so New API's `char(32)` column and unique index
 * still hold it); unused codes keep working, since users present the plaintext and we hash it. Rows
 * already hashed are left alone.
 *
 * Rolling back to New API after this: the table stays valid, but New API compares the presented code with
 * the column, so no code created or migrated here can be redeemed there any more (unused codes are lost to
 * New API users), and its console lists the hashes where the codes were.
 */
import type { Migration } from "../migrate.ts";
import { asInt } from "../db.ts";
import { isHashed } from "../../crypto/token_key.ts";
import { hashRedemptionCode } from "../../crypto/redemption_code.ts";

export const hashRedemptionCodes: Migration = {
  id: "0004_hash_redemption_codes",
  async up(tx, { secrets }) {
    const codes = await tx.query<{ id: number; key: string }>(
      `SELECT id, "key" FROM redemptions WHERE "key" IS NOT NULL AND "key" <> '' AND "key" NOT LIKE 'h1:%'`,
    );
    for (const c of codes) {
      if (isHashed(c.key)) continue;
      await tx.exec(`UPDATE redemptions SET "key" = ? WHERE id = ?`, [
        hashRedemptionCode(secrets.cryptoSecret, c.key),
        asInt(c.id),
      ]);
    }
  },
};
