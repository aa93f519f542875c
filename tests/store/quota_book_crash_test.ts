/**
 * The quota book under SIGKILL at random points: a process runs 16 concurrent request loops on a SQLite
 * file (settles, releases, overruns, checkpointed holds, top-ups written around the book) and is killed
 * at a random moment, 8 times on the same file. After each kill a restart resolves what was durable, and
 * the store reconciles with zero drift: every balance and counter equals the sums of the journal (the
 * SETTLED reservation rows, each with exactly one consume log row) and of the top-ups.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { billingFixture } from "../support/billing.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { Catalog } from "../../store/cache/catalog.ts";
import { Billing } from "../../relay/billing/billing.ts";
import { asInt, type Db, queryOne } from "../../store/db.ts";
import { testSecrets } from "../support/stores.ts";

const fixture = new URL("./fixtures/book_load.ts", import.meta.url).pathname;
const USER_START = 1_000_000_000;
const TOKEN_START = 1_000_000_000;

async function one(db: Db, sql: string): Promise<number> {
  const row = await queryOne(db, sql);
  return asInt(Object.values(row ?? { v: 0 })[0]);
}

async function reconcile(db: Db, ids: { userId: number; tokenId: number; channelId: number }): Promise<void> {
  const consume = await one(db, "SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2");
  const consumeCount = await one(db, "SELECT COUNT(*) FROM logs WHERE type = 2");
  const topups = await one(db, "SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 1");
  const settled = await one(
    db,
    "SELECT COALESCE(SUM(settled_quota), 0) FROM quota_reservations WHERE status = 'SETTLED'",
  );
  const settledCount = await one(db, "SELECT COUNT(*) FROM quota_reservations WHERE status = 'SETTLED'");
  const unmatched = await one(
    db,
    `SELECT COUNT(*) FROM quota_reservations r WHERE r.status = 'SETTLED' AND (SELECT COUNT(*) FROM logs l
      WHERE l.type = 2 AND l.request_id = r.request_id AND l.quota = r.settled_quota) <> 1`,
  );
  const u = await queryOne(db, "SELECT quota, used_quota, request_count FROM users WHERE id = ?", [
    ids.userId,
  ]);
  const t = await queryOne(db, "SELECT remain_quota, used_quota FROM tokens WHERE id = ?", [ids.tokenId]);
  const c = await queryOne(db, "SELECT used_quota FROM channels WHERE id = ?", [ids.channelId]);
  assertEquals(
    await one(db, "SELECT COUNT(*) FROM quota_reservations WHERE status = 'HELD'"),
    0,
    "nothing held",
  );
  assertEquals([settled, settledCount, unmatched], [consume, consumeCount, 0], "journal and log agree");
  assertEquals(asInt(u!.quota), USER_START + topups - consume, "wallet = start + top-ups − charges");
  assertEquals([asInt(u!.used_quota), asInt(u!.request_count)], [consume, consumeCount]);
  assertEquals([asInt(t!.remain_quota), asInt(t!.used_quota)], [TOKEN_START - consume, consume]);
  assertEquals(asInt(c!.used_quota), consume);
}

Deno.test({
  name: "quota book: SIGKILL at random points in 8 runs, zero drift between the journal and the balances",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDir(async (dir) => {
      const path = `${dir}/book.db`;
      const db = await openSqlite({ path, busyTimeoutMs: 10_000 });
      try {
        await migrate(db, allTables, migrations, { secrets: testSecrets });
        const f = await billingFixture(db, {
          userQuota: USER_START,
          tokenQuota: TOKEN_START,
          unlimitedToken: false,
        });
        const ids = { userId: f.userId, tokenId: f.tokenId, channelId: f.channelId };
        let charged = 0;
        for (let run = 0; run < 8; run++) {
          const child = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              fixture,
              path,
              String(f.userId),
              String(f.tokenId),
              String(f.channelId),
              `r${run}`,
            ],
            stdout: "piped",
            stderr: "inherit",
          }).spawn();
          const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
          let out = "";
          while (!out.includes("READY")) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`the load process exited early: ${out}`);
            out += value;
          }
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 700));
          child.kill("SIGKILL");
          assertEquals((await child.status).signal, "SIGKILL");
          await reader.cancel().catch(() => {});

          // The next start resolves the durable holds of the dead process (checkpointed: settled there).
          const catalog = new Catalog(db, testSecrets.cryptoSecret);
          await catalog.loadAll();
          const b = new Billing(db, catalog, {
            errorLogEnabled: false,
            holdSeconds: 60,
            singleProcess: true,
            quotaBook: true,
          });
          await b.start();
          await b.stop();
          await reconcile(db, ids);
          const now = await one(db, "SELECT COUNT(*) FROM logs WHERE type = 2");
          assert(now > charged, `run ${run} charged requests before it was killed`);
          charged = now;
        }
      } finally {
        await db.close();
      }
    }),
});
