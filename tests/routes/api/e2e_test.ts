/**
 * The management API end to end, against the real server process on SQLite, PostgreSQL and MySQL:
 * setup → login → create channel → create token → list, update, delete.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { startServer } from "../../support/server.ts";
import { createTempDatabase, postgresServerUrl } from "../../support/postgres.ts";
import { createTempMysqlDatabase, mysqlServerUrl } from "../../support/mysql.ts";
import { withTempDir } from "../../support/temp_dir.ts";

async function drive(url: string): Promise<string[]> {
  let cookie = "";
  const secrets: string[] = [];
  const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        origin: url,
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.getSetCookie().find((l) => l.startsWith("session="));
    if (set) cookie = set.split(";")[0];
    const json = await res.json();
    return { status: res.status, json };
  };

  assertEquals((await call("GET", "/api/setup")).json.data.status, false);
  const setup = await call("POST", "/api/setup", {
    username: "root",
    password: "e2e-root-password",
    confirmPassword: "e2e-root-password",
  });
  assertEquals(setup.json.success, true, JSON.stringify(setup.json));
  assertEquals((await call("GET", "/api/status")).json.data.setup, true);
  const login = await call("POST", "/api/user/login", { username: "root", password: "e2e-root-password" });
  assertEquals([login.json.data.username, login.json.data.role], ["root", 100]);
  assert(cookie.startsWith("session="), "a session cookie was set");

  const channelKey = "sk-e2e-upstream-CANARY-0001";
  secrets.push(channelKey);
  const channel = await call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name: "upstream", key: channelKey, models: "gpt-4o", group: "default" },
  });
  assertEquals(channel.json.success, true, JSON.stringify(channel.json));
  const channelId = channel.json.data.ids[0];
  const channels = await call("GET", "/api/channel/?p=1&page_size=10");
  assertEquals(channels.json.data.items.map((c: { id: number }) => c.id), [channelId]);
  assertEquals((await call("PUT", "/api/channel/", { id: channelId, priority: 2 })).json.data.priority, 2);

  const token = await call("POST", "/api/token/", { name: "e2e", remain_quota: 1000, expired_time: -1 });
  assertEquals(token.json.success, true, JSON.stringify(token.json));
  secrets.push(token.json.data.key);
  const tokenId = token.json.data.id;
  const listed = await call("GET", "/api/token/?p=1&page_size=10");
  assertEquals(listed.json.data.total, 1);
  assert(!JSON.stringify(listed.json).includes(token.json.data.key.slice(3)), "the list shows only the hint");
  const updated = await call("PUT", "/api/token/", { id: tokenId, name: "renamed", remain_quota: 50 });
  assertEquals([updated.json.data.name, updated.json.data.remain_quota], ["renamed", 50]);
  assertEquals(
    (await call("PUT", "/api/token/?status_only=true", { id: tokenId, status: 2 })).json.data.status,
    2,
  );

  // An access token works for scripts, without the cookie.
  const accessToken = (await call("POST", "/api/user/token")).json.data;
  secrets.push(accessToken);
  const saved = cookie;
  cookie = "";
  assertEquals(
    (await call("GET", "/api/token/", undefined, { authorization: `Bearer ${accessToken}` })).json.data.total,
    1,
  );
  assertEquals((await call("GET", "/api/token/")).status, 401);
  cookie = saved;

  assertEquals((await call("DELETE", `/api/token/${tokenId}`)).json.success, true);
  assertEquals((await call("GET", "/api/token/")).json.data.total, 0);
  assertEquals((await call("DELETE", `/api/channel/${channelId}`)).json.success, true);
  assertEquals((await call("GET", "/api/channel/")).json.data.total, 0);
  assertEquals((await call("POST", "/api/user/logout")).json.success, true);
  assertEquals((await call("GET", "/api/user/self")).status, 401);
  return secrets;
}

Deno.test("management API end to end on the real server with SQLite", async () => {
  await withTempDir(async (dir) => {
    const server = await startServer({ DATA_DIR: dir });
    try {
      const secrets = await drive(server.url);
      for (const s of secrets) assert(!server.output().includes(s), "no secret reaches the server log");
    } finally {
      assertEquals((await server.stop()).code, 0);
    }
  });
});

const servers = [
  { name: "PostgreSQL", ignore: !postgresServerUrl, temp: createTempDatabase },
  { name: "MySQL", ignore: !mysqlServerUrl, temp: createTempMysqlDatabase },
];

for (const store of servers) {
  Deno.test({
    name: `management API end to end on the real server with ${store.name}`,
    ignore: store.ignore,
    fn: async () => {
      const temp = await store.temp();
      try {
        await withTempDir(async (dir) => {
          const server = await startServer({
            DATA_DIR: dir,
            SQL_DSN: temp.url,
            SESSION_SECRET: "e2e-session-secret-0123456789",
          });
          try {
            const secrets = await drive(server.url);
            for (const s of secrets) assert(!server.output().includes(s), "no secret reaches the server log");
          } finally {
            assertEquals((await server.stop()).code, 0);
          }
        });
      } finally {
        await temp.drop();
      }
    },
  });
}
