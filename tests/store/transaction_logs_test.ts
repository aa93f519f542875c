/**
 * `transactionWithLogs`: a money change's log row shares its transaction when the logs live in the main
 * store, goes to the log database after the commit when they do not, and, when that write fails, the change
 * is kept and the row is retried by the log database's LogQueue.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { asInt, type Db, queryOne } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { migrate } from "../../store/migrate.ts";
import { logTables } from "../../store/schema/index.ts";
import { LogQueue } from "../../store/log_queue.ts";
import { LogType } from "../../store/logs.ts";
import { type AddLog, transactionWithLogs } from "../../store/transaction_logs.ts";

const count = async (db: Db, sql: string) => asInt((await queryOne(db, sql))?.n);
const logRows = (db: Db) => count(db, "SELECT COUNT(*) AS n FROM logs WHERE content = 'with the change'");
const options = (db: Db) => count(db, "SELECT COUNT(*) AS n FROM options WHERE \"key\" = 'tx_logs_probe'");

/** A change to the main store (an option row) with its log row. */
const change = (fail = false) => async (tx: Db, addLog: AddLog) => {
  await tx.exec(`INSERT INTO options ("key", value) VALUES ('tx_logs_probe', '1')`);
  await addLog({ userId: 1, type: LogType.system, content: "with the change" });
  if (fail) throw new Error("the change fails");
};

/** `db` whose log inserts fail while `failing.on` is set. */
function flaky(db: Db, failing: { on: boolean }): Db {
  return new Proxy(db, {
    get(target, key) {
      if (key === "exec") {
        return (sql: string, params?: unknown[]) => {
          if (failing.on && sql.startsWith("INSERT INTO logs")) {
            return Promise.reject(new Error("log db down"));
          }
          return target.exec(sql, params as never);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

storeTest("log rows share the change's transaction when the logs live in the main store", async (store) => {
  const db = await store.openMigrated();
  try {
    await assertRejects(() => transactionWithLogs(db, db, change(true)));
    assertEquals([await options(db), await logRows(db)], [0, 0], "both rolled back");
    await transactionWithLogs(db, new LogQueue(db), change());
    assertEquals([await options(db), await logRows(db)], [1, 1]);
  } finally {
    await db.close();
  }
});

storeTest(
  "in a separate log database the row follows the commit, and a failed write is retried",
  async (store) => {
    const db = await store.openMigrated();
    await withTempDir(async (dir) => {
      const logDb = await openSqlite({ path: `${dir}/logs.db`, busyTimeoutMs: 1000 });
      try {
        await migrate(logDb, logTables, [], { secrets: testSecrets });
        await assertRejects(() => transactionWithLogs(db, logDb, change(true)));
        assertEquals([await options(db), await logRows(logDb)], [0, 0], "no row for a change that failed");

        await transactionWithLogs(db, logDb, change());
        assertEquals([await options(db), await logRows(db), await logRows(logDb)], [1, 0, 1]);

        const failing = { on: true };
        const queue = new LogQueue(flaky(logDb, failing));
        await db.exec(`DELETE FROM options WHERE "key" = 'tx_logs_probe'`);
        await transactionWithLogs(db, queue, change());
        assertEquals(
          [await options(db), await logRows(logDb), queue.pending],
          [1, 1, 1],
          "change kept, row queued",
        );
        failing.on = false;
        await queue.flush();
        assertEquals([await logRows(logDb), queue.pending], [2, 0]);
      } finally {
        await logDb.close();
      }
    });
    await db.close();
  },
);
