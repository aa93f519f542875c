/**
 * The real process on MariaDB with New API's own DSN form (`user:pass@tcp(host:port)/db?parseTime=true`):
 * it migrates, root logs in with a password, and a token relays one chat request to the fake upstream.
 */
import { assertEquals } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { createTempMysqlDatabase, mysqlServerUrl } from "../support/mysql.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { loadConfig } from "../../config/env.ts";
import { openMigratedStore } from "../../store/open.ts";
import { completeSetup } from "../../store/setup.ts";
import { setUserQuota } from "../../store/users.ts";
import { insertChannel } from "../../store/channels.ts";
import { createToken } from "../../store/tokens.ts";
import { hashPassword } from "../../crypto/password.ts";
import { VERSION } from "../../server/version.ts";

/** The temp database's address written the way New API's docker-compose writes SQL_DSN. */
function goDsn(database: string): string {
  const u = new URL(mysqlServerUrl!);
  const cred = `${decodeURIComponent(u.username) || "root"}${
    u.password ? `:${decodeURIComponent(u.password)}` : ""
  }`;
  return `${cred}@tcp(${u.hostname}:${u.port || 3306})/${database}?parseTime=true&charset=utf8mb4&loc=Local`;
}

Deno.test({
  name: "starts on MariaDB with New API's SQL_DSN form; root logs in and a token relays through a channel",
  ignore: !mysqlServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using fake = await startFakeUpstream({});
    const temp = await createTempMysqlDatabase();
    try {
      await withTempDir(async (dir) => {
        const secret = "test-session-secret-0123456789";
        const env = {
          DATA_DIR: dir,
          SQL_DSN: goDsn(temp.name),
          SESSION_SECRET: secret,
          CRYPTO_SECRET: secret,
        };
        const config = loadConfig(env);
        assertEquals(config.store, "mysql");
        const db = await openMigratedStore(config, { sessionSecret: secret, cryptoSecret: secret });
        let tokenKey: string;
        try {
          const setup = await completeSetup(db, {
            username: "root",
            passwordHash: await hashPassword("root-password-123"),
            selfUseModeEnabled: true,
            demoSiteEnabled: false,
            version: VERSION,
          });
          if (!setup.ok) throw new Error("fresh database already set up");
          await setUserQuota(db, setup.rootId, 1_000_000_000);
          await insertChannel(db, secret, {
            type: 1,
            name: "fake",
            baseUrl: fake.url,
            key: "sk-fake-upstream",
            models: "gpt-4o-mini",
            group: "default",
          });
          tokenKey = (await createToken(db, secret, setup.rootId, { name: "t", unlimitedQuota: true })).key;
        } finally {
          await db.close();
        }

        const server = await startServer(env);
        try {
          const status = await (await fetch(`${server.url}/api/status`)).json();
          assertEquals(status.data.database_type, "mysql");

          const login = await fetch(`${server.url}/api/user/login`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: server.url },
            body: JSON.stringify({ username: "root", password: "root-password-123" }),
          });
          const loginBody = await login.json();
          assertEquals(loginBody.success, true, JSON.stringify(loginBody));
          const cookie = login.headers.get("set-cookie")!.split(";")[0];
          const self = await fetch(`${server.url}/api/user/self`, {
            headers: { cookie, "New-Api-User": String(loginBody.data.id) },
          }).then((r) => r.json());
          assertEquals([self.success, self.data.username, self.data.role], [true, "root", 100]);

          const relay = await fetch(`${server.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${tokenKey}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }),
          });
          const answer = await relay.json();
          assertEquals(relay.status, 200, JSON.stringify(answer));
          assertEquals(typeof answer.choices[0].message.content, "string");
          assertEquals(fake.requests.length >= 1, true, "the request reached the fake upstream");
        } finally {
          assertEquals((await server.stop()).code, 0);
        }
      });
    } finally {
      await temp.drop();
    }
  },
});
