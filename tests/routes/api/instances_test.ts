/**
 * Two instances on one PostgreSQL database: a demotion or disabling made through one is enforced by the
 * other as soon as its catalog hears the change (LISTEN/NOTIFY), for sessions and access tokens alike.
 */
import { assertEquals } from "../../support/assert.ts";
import { buildHarness } from "../../support/app.ts";
import { type StoreFixture, testSecrets } from "../../support/stores.ts";
import { createTempDatabase, postgresServerUrl } from "../../support/postgres.ts";
import { openPostgres } from "../../../store/postgres.ts";
import { migrate } from "../../../store/migrate.ts";
import { allTables } from "../../../store/schema/index.ts";
import { migrations } from "../../../store/migrations/index.ts";
import { cast, cookieClient, tokenClient } from "../../support/console_client.ts";

/** Polls `check` until it returns true or `ms` pass; returns the last result. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name: "a demotion through one instance is enforced by another on its next requests [postgres]",
  ignore: !postgresServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const temp = await createTempDatabase();
    const open = () =>
      openPostgres({ url: temp.url, max: 5, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
    const fixture: StoreFixture = {
      kind: "postgres",
      open,
      openMigrated: async () => {
        const db = await open();
        await migrate(db, allTables, migrations, { secrets: testSecrets });
        return db;
      },
    };
    const a = await buildHarness(fixture);
    const b = await buildHarness(fixture);
    try {
      const { root, admin } = await cast(a);
      const token = (await admin.call("POST", "/api/user/token")).body.data;
      const adminOnB = cookieClient(b, admin.cookie!, admin.userId);
      const tokenOnB = tokenClient(b, token, admin.userId);
      assertEquals(
        await eventually(async () => (await adminOnB.call("GET", "/api/user/")).status === 200),
        true,
      );
      assertEquals((await tokenOnB.call("GET", "/api/user/")).status, 200);
      await root.call("POST", "/api/user/manage", { id: admin.userId, action: "demote" });
      assertEquals(
        await eventually(async () => (await adminOnB.call("GET", "/api/user/")).status === 401),
        true,
        "instance B ends the demoted admin's session",
      );
      // Issue 14: the demotion also cleared the access token in the shared store, so B refuses it outright.
      assertEquals((await tokenOnB.call("GET", "/api/user/")).status, 401, "and the demoted admin's token");
      assertEquals((await tokenOnB.call("GET", "/api/user/self")).status, 401);
    } finally {
      await a.close();
      await b.close();
      await temp.drop();
    }
  },
});
