/** Loads an adoption fixture (tests/fixtures/<product>/<dialect>.sql) into an empty store, statement by statement. */
import type { Db } from "../../store/db.ts";

export const fixtureDir = (product: "new_api" | "one_api") =>
  new URL(`../fixtures/${product}/`, import.meta.url);

export async function loadFixture(db: Db, product: "new_api" | "one_api"): Promise<void> {
  const text = await Deno.readTextFile(new URL(`${db.dialect}.sql`, fixtureDir(product)));
  const statements = text.split("\n").filter((l) => l && !l.startsWith("--"));
  for (const sql of statements) await db.exec(sql.replace(/;$/, ""));
}
