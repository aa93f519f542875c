/**
 * MySQL/MariaDB stores this gateway created before channels.key lost its default have the key as
 * varchar(191) (schema/table.ts makes defaulted strings varchar), too short for an encrypted Vertex
 * service-account key (~3 KB of JSON). Widens it to longtext NOT NULL, what New API's GORM makes; values are
 * kept. Nothing to do on SQLite and PostgreSQL (text is unbounded there), nor when the column is already a
 * text type: One API's `text` (64 KB) holds such a key, and an adopted schema is never retyped.
 */
import type { Migration } from "../migrate.ts";

/** Column types too short for a service-account key; every other text type is left as it is. */
const NARROW = new Set(["varchar", "char", "tinytext"]);

export const widenChannelKey: Migration = {
  id: "0006_widen_channel_key",
  async up(tx) {
    if (tx.dialect !== "mysql") return;
    const [column] = await tx.query<{ t: string }>(
      `SELECT data_type AS t FROM information_schema.columns
       WHERE table_schema = DATABASE() AND table_name = 'channels' AND column_name = 'key'`,
    );
    if (!column || !NARROW.has(String(column.t).toLowerCase())) return;
    await tx.exec("ALTER TABLE `channels` MODIFY `key` longtext NOT NULL");
  },
};
