/**
 * Two instances on one database (PostgreSQL, MySQL): a key or user disabled through one is refused by the
 * other's relay within a second, as soon as its catalog hears the change (LISTEN/NOTIFY on PostgreSQL, the
 * polled cache_changes feed on MySQL; before the feed, MySQL waited for the 60 s resync). A demotion ends
 * the admin's session and access token on the other instance too.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { buildHarness } from "../../support/app.ts";
import { openTestMysql, type StoreFixture, testSecrets } from "../../support/stores.ts";
import { createTempDatabase, postgresServerUrl } from "../../support/postgres.ts";
import { createTempMysqlDatabase, mysqlServerUrl } from "../../support/mysql.ts";
import { openPostgres } from "../../../store/postgres.ts";
import type { Db } from "../../../store/db.ts";
import { migrate } from "../../../store/migrate.ts";
import { allTables } from "../../../store/schema/index.ts";
import { migrations } from "../../../store/migrations/index.ts";
import { type ApiClient, cast, cookieClient, tokenClient } from "../../support/console_client.ts";

/** How soon the other instance must enforce a change (the full resync is 60 s away). */
const WITHIN_MS = 1000;

/** Polls `check` until it returns true; returns how long that took, or undefined after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Creates an API key (`sk-…`) for the client's user; returns it with its id. */
async function apiKey(user: ApiClient): Promise<{ id: number; key: string }> {
  const made = await user.call("POST", "/api/token/", {
    name: "relay",
    remain_quota: 1000,
    expired_time: -1,
  });
  assertEquals(made.body.success, true, made.text);
  return { id: made.body.data.id, key: made.body.data.key };
}

/** One database, opened (and migrated) once per instance. */
function sharedFixture(kind: StoreFixture["kind"], open: () => Promise<Db>): StoreFixture {
  return {
    kind,
    open,
    openMigrated: async () => {
      const db = await open();
      await migrate(db, allTables, migrations, { secrets: testSecrets });
      return db;
    },
  };
}

const stores = [
  {
    kind: "postgres" as const,
    ignore: !postgresServerUrl,
    temp: async () => {
      const t = await createTempDatabase();
      const open = () =>
        openPostgres({ url: t.url, max: 5, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
      return { fixture: sharedFixture("postgres", open), drop: t.drop };
    },
  },
  {
    kind: "mysql" as const,
    ignore: !mysqlServerUrl,
    temp: async () => {
      const t = await createTempMysqlDatabase();
      return { fixture: sharedFixture("mysql", () => openTestMysql(t.url)), drop: t.drop };
    },
  },
];

for (const store of stores) {
  Deno.test({
    name:
      `a key or user disabled, or an admin demoted, through one instance is refused by another within a second [${store.kind}]`,
    ignore: store.ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const temp = await store.temp();
      const a = await buildHarness(temp.fixture);
      let b: Awaited<ReturnType<typeof buildHarness>> | undefined;
      try {
        const { root, admin, alice, bob } = await cast(a);
        const accessToken = (await admin.call("POST", "/api/user/token")).body.data;
        const aliceKey = await apiKey(alice);
        const bobKey = await apiKey(bob);
        // B starts after the users and tokens exist, so it knows them from its first load.
        b = await buildHarness(temp.fixture);
        const relayOnB = (key: string) =>
          b!.call("GET", "/v1/models", undefined, { authorization: `Bearer ${key}` }).then((r) => r.status);
        const adminOnB = cookieClient(b, admin.cookie!, admin.userId);
        const tokenOnB = tokenClient(b, accessToken, admin.userId);
        assertEquals((await adminOnB.call("GET", "/api/user/")).status, 200);
        assertEquals((await tokenOnB.call("GET", "/api/user/")).status, 200);
        assertEquals([await relayOnB(aliceKey.key), await relayOnB(bobKey.key)], [200, 200]);

        // A user disables their API key through A: B's relay refuses it (B checks keys in its catalog).
        await alice.call("PUT", "/api/token/?status_only=true", { id: aliceKey.id, status: 2 });
        const keyRefused = await eventually(async () => (await relayOnB(aliceKey.key)) === 401, WITHIN_MS);
        assert(keyRefused !== undefined, `instance B refuses the disabled key within ${WITHIN_MS} ms`);

        // An admin disables a user through A: B's relay refuses that user's keys.
        await root.call("POST", "/api/user/manage", { id: bob.userId, action: "disable" });
        const userRefused = await eventually(async () => (await relayOnB(bobKey.key)) === 403, WITHIN_MS);
        assert(
          userRefused !== undefined,
          `instance B refuses the disabled user's key within ${WITHIN_MS} ms`,
        );

        await root.call("POST", "/api/user/manage", { id: admin.userId, action: "demote" });
        const demoted = await eventually(
          async () => (await adminOnB.call("GET", "/api/user/")).status === 401,
          WITHIN_MS,
        );
        assert(demoted !== undefined, `instance B ends the demoted admin's session within ${WITHIN_MS} ms`);
        // Issue 14: the demotion also cleared the access token in the shared store, so B refuses it outright.
        assertEquals((await tokenOnB.call("GET", "/api/user/")).status, 401, "and the demoted admin's token");
        assertEquals((await tokenOnB.call("GET", "/api/user/self")).status, 401);
        console.log(
          `[${store.kind}] B refused the disabled key after ${keyRefused} ms, the disabled user after ${userRefused} ms`,
        );
      } finally {
        await a.close();
        await b?.close();
        await temp.drop();
      }
    },
  });
}
