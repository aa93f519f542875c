/** The `options` key/value table (New API's settings store: strings, JSON for maps). */
import { type Db, upsertSql } from "./db.ts";

export async function loadOptions(db: Db): Promise<Map<string, string>> {
  const rows = await db.query<{ key: string; value: string | null }>(`SELECT "key", value FROM options`);
  return new Map(rows.map((r) => [r.key, r.value ?? ""]));
}

/** Writes options in one transaction (insert or replace each key). */
export async function saveOptions(db: Db, entries: Record<string, string>): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [key, value] of Object.entries(entries)) {
      await tx.exec(
        upsertSql(tx.dialect, "options", ['"key"', "value"], ['"key"'], ["value"]),
        [key, value],
      );
    }
  });
}
