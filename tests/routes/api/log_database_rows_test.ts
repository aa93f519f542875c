/**
 * With LOG_SQL_DSN set (a separate PostgreSQL database here, beside each main store), the rows written with
 * a money change (a redemption's top-up row) and the admin's quota-change rows go to the log database, and
 * `/api/log/` lists them from there; the credit itself stays in the main store.
 */
import { assertEquals } from "../../support/assert.ts";
import { buildHarness } from "../../support/app.ts";
import { storeTest } from "../../support/stores.ts";
import { cast } from "../../support/console_client.ts";
import { createTempDatabase, postgresServerUrl } from "../../support/postgres.ts";
import { asInt, type Db, queryOne } from "../../../store/db.ts";
import { LogType } from "../../../store/logs.ts";

const rowsOfType = async (db: Db, type: number) =>
  asInt((await queryOne(db, "SELECT COUNT(*) AS n FROM logs WHERE type = ?", [type]))?.n);

if (postgresServerUrl) {
  storeTest(
    "top-up and quota-change rows go to the LOG_SQL_DSN database, not the main store",
    async (store) => {
      const logs = await createTempDatabase();
      try {
        const h = await buildHarness(store, { LOG_SQL_DSN: logs.url });
        try {
          const { root, alice } = await cast(h);
          const [code] = (await root.call("POST", "/api/redemption/", { name: "p", quota: 777 })).body.data;
          const before = (await alice.call("GET", "/api/user/self")).body.data.quota;
          const topup = await alice.call("POST", "/api/user/topup", { key: code });
          assertEquals([topup.body.success, topup.body.data], [true, 777], topup.text);
          assertEquals((await alice.call("GET", "/api/user/self")).body.data.quota, before + 777);
          const manage = await root.call("POST", "/api/user/manage", {
            id: alice.userId,
            action: "add_quota",
            mode: "add",
            value: 5,
          });
          assertEquals(manage.body.success, true, manage.text);

          assertEquals(h.deps.logDb === h.deps.db, false);
          assertEquals([
            await rowsOfType(h.deps.logDb, LogType.topup),
            await rowsOfType(h.deps.db, LogType.topup),
          ], [
            1,
            0,
          ]);
          assertEquals(
            [await rowsOfType(h.deps.logDb, LogType.manage), await rowsOfType(h.deps.db, LogType.manage)],
            [1, 0],
          );
          const listed = await root.call("GET", `/api/log/?type=${LogType.topup}`);
          assertEquals([listed.body.data.total, listed.body.data.items[0].quota], [1, 777], listed.text);
          const own = await alice.call("GET", "/api/log/self");
          assertEquals(own.body.data.total, 2, own.text);
        } finally {
          await h.close();
        }
      } finally {
        await logs.drop();
      }
    },
  );
}
