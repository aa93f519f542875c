/**
 * The log retention job (`LogRetentionDays`): consume and error rows older than N days leave the log
 * database, newer rows and other log types stay, 0 keeps everything, a large backlog goes in bounded
 * DELETE batches, and two instances sharing a store do not both run it in one interval.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { cast } from "../support/console_client.ts";
import { captureConsole } from "../support/console_capture.ts";
import { logRetentionJob, pruneOldLogs } from "../../jobs/log_retention.ts";
import { Scheduler } from "../../jobs/scheduler.ts";
import { insertLog, insertLogs, LogType, type NewLog } from "../../store/logs.ts";
import { asInt, type Db, nowSeconds } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { logTables } from "../../store/schema/index.ts";

const DAY = 86_400;

async function remaining(db: Db, ids: readonly number[]): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT id FROM logs WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id`,
    [...ids],
  );
  return rows.map((r) => asInt(r.id));
}

const countLogs = async (db: Db) =>
  asInt((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM logs"))[0].n);

appTest(
  "LogRetentionDays prunes old consume and error logs, keeps newer rows and other types; 0 keeps all",
  async (h) => {
    const { root } = await cast(h);
    const now = nowSeconds();
    const at = (type: number, daysAgo: number) =>
      insertLog(h.deps.logDb, {
        userId: 1,
        type,
        content: `${type}@${daysAgo}`,
        createdAt: now - daysAgo * DAY,
      });
    const oldConsume = await at(LogType.consume, 10);
    const oldError = await at(LogType.error, 8);
    const newConsume = await at(LogType.consume, 6);
    const newError = await at(LogType.error, 1);
    const oldTopup = await at(LogType.topup, 30);
    const oldManage = await at(LogType.manage, 30);
    const all = [oldConsume, oldError, newConsume, newError, oldTopup, oldManage];

    const listed = await root.call("GET", "/api/option/");
    const option = listed.body.data.find((o: { key: string }) => o.key === "LogRetentionDays");
    assertEquals(option?.value, "0", "declared, default 0, shown in GET /api/option/");
    for (const bad of ["-1", "abc", "1.5"]) {
      const res = await root.call("PUT", "/api/option/", { key: "LogRetentionDays", value: bad });
      assertEquals([res.status, res.body.success], [400, false], `${bad}: ${res.text}`);
    }

    const job = logRetentionJob(h.deps);
    assert(await h.deps.jobs.tick(job), "this instance holds the lease");
    assertEquals(await remaining(h.deps.logDb, all), all, "0 keeps everything");

    const set = await root.call("PUT", "/api/option/", { key: "LogRetentionDays", value: "7" });
    assertEquals(set.body.success, true, set.text);
    const { output } = await captureConsole(async () => assert(await h.deps.jobs.tick(job)));
    assertEquals(await remaining(h.deps.logDb, all), [newConsume, newError, oldTopup, oldManage]);
    assert(output.includes("log retention") && output.includes('"removed":2'), output);
  },
);

storeTest(
  "log retention deletes from the log database (LOG_SQL_DSN), never from the main store",
  async (f) => {
    const main = await f.openMigrated();
    try {
      await withTempDir(async (dir) => {
        const logDb = await openSqlite({ path: `${dir}/logs.db`, busyTimeoutMs: 5000 });
        try {
          await migrate(logDb, logTables, [], { secrets: testSecrets });
          const now = nowSeconds();
          const old = { userId: 1, type: LogType.consume, createdAt: now - 40 * DAY };
          const inLogs = [
            await insertLog(logDb, old),
            await insertLog(logDb, { ...old, createdAt: now - DAY }),
          ];
          const inMain = await insertLog(main, old);
          const catalog = { option: (key: string) => (key === "LogRetentionDays" ? "30" : undefined) };
          assert(
            await new Scheduler(main, "A").tick(logRetentionJob({ logDb, catalog })),
            "the lease is in the main store",
          );
          assertEquals(await remaining(logDb, inLogs), [inLogs[1]]);
          assertEquals(await remaining(main, [inMain]), [inMain]);
        } finally {
          await logDb.close();
        }
      });
    } finally {
      await main.close();
    }
  },
);

storeTest(
  "a large backlog is pruned in bounded batches over bounded runs, each DELETE at most the batch size",
  async (f) => {
    const db = await f.openMigrated();
    try {
      const now = nowSeconds();
      const rows: NewLog[] = Array.from({ length: 23 }, (_, i) => ({
        userId: 1,
        type: i % 2 ? LogType.consume : LogType.error,
        createdAt: now - (10 + i) * DAY,
      }));
      await insertLogs(db, [...rows, { userId: 1, type: LogType.consume, createdAt: now - DAY }]);
      const deletes: number[] = [];
      const counted = new Proxy(db, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          // Private fields need the real object as `this`.
          if (prop !== "exec") return typeof value === "function" ? value.bind(target) : value;
          return async (sql: string, params?: unknown[]) => {
            const r = await target.exec(sql, params as never);
            if (sql.startsWith("DELETE FROM logs")) deletes.push(r.changes);
            return r;
          };
        },
      });
      const firstRun = await pruneOldLogs(counted, 7, now, { batch: 5, maxBatches: 2 });
      assertEquals(firstRun, 10, "a run stops after its 2 batches");
      assertEquals(await pruneOldLogs(counted, 7, now, { batch: 5 }), 13, "the next run goes on");
      assertEquals(deletes, [5, 5, 5, 5, 3]);
      assertEquals(await countLogs(db), 1, "the newer row stays");
    } finally {
      await db.close();
    }
  },
);

storeTest("two instances on one store do not both run log retention in one interval", async (f) => {
  const a = await f.openMigrated();
  const b = await f.open();
  try {
    const now = nowSeconds();
    await insertLogs(
      a,
      Array.from({ length: 6 }, () => ({ userId: 1, type: LogType.consume, createdAt: now - 9 * DAY })),
    );
    const catalog = { option: (key: string) => (key === "LogRetentionDays" ? "7" : undefined) };
    const runs: string[] = [];
    const instance = (db: Db, name: string) => {
      const job = logRetentionJob({ logDb: db, catalog }, { tickMs: 60_000, batch: 2 });
      return { scheduler: new Scheduler(db, name), job: { ...job, run: () => (runs.push(name), job.run()) } };
    };
    const [ia, ib] = [instance(a, "A"), instance(b, "B")];
    const ticks = await Promise.all([ia.scheduler.tick(ia.job), ib.scheduler.tick(ib.job)]);
    assertEquals(ticks.filter(Boolean).length, 1, "one instance takes the lease");
    assertEquals(runs.length, 1);
    assertEquals(await countLogs(a), 0);
    const loser = ticks[0] ? ib : ia;
    assert(!await loser.scheduler.tick(loser.job), "the other still finds the lease held");
    assertEquals(runs.length, 1);
  } finally {
    await b.close();
    await a.close();
  }
});
