/**
 * The real process on MariaDB with New API's own DSN form (`user:pass@tcp(host:port)/db?parseTime=true`):
 * it migrates, root logs in with a password, and a token relays one chat request to the fake upstream.
 */
import { assertEquals } from "../support/assert.ts";
import { loginWithPassword, seedGatewayStore, startServer } from "../support/server.ts";
import { createTempMysqlDatabase, mysqlGoDsn, mysqlServerUrl } from "../support/mysql.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { loadConfig } from "../../config/env.ts";

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
          SQL_DSN: mysqlGoDsn(temp.name, "parseTime=true&charset=utf8mb4&loc=Local"),
          SESSION_SECRET: secret,
          CRYPTO_SECRET: secret,
        };
        const config = loadConfig(env);
        assertEquals(config.store, "mysql");
        const tokenKey = await seedGatewayStore(env, fake.url);

        const server = await startServer(env);
        try {
          const status = await (await fetch(`${server.url}/api/status`)).json();
          assertEquals(status.data.database_type, "mysql");

          const { headers } = await loginWithPassword(server.url);
          const self = await fetch(`${server.url}/api/user/self`, {
            headers: { cookie: headers.cookie, "New-Api-User": headers["New-Api-User"] },
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
