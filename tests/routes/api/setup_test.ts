/** First-run setup: no default account, input checks, exactly one root under concurrency, locked after. */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, login, ORIGIN } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const body = (username: string, password = "a-good-password", confirm = password) => ({
  username,
  password,
  confirmPassword: confirm,
  SelfUseModeEnabled: true,
  DemoSiteEnabled: false,
});

appTest(
  "a fresh install has no account at all: setup is required and no default password works",
  async (h) => {
    const setup = await anonymous(h, "GET", "/api/setup");
    assertEquals(setup.body.data, { status: false, root_init: false, database_type: h.store.kind });
    assertEquals((await anonymous(h, "GET", "/api/status")).body.data.setup, false);
    assertEquals(asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM users"))?.n), 0);
    for (const [username, password] of [["root", "123456"], ["root", "root"], ["admin", "admin"]]) {
      const res = await anonymous(h, "POST", "/api/user/login", { username, password });
      assertEquals(res.status, 401);
      assertEquals(res.body.success, false);
    }
  },
);

appTest("setup checks its input, then creates the root user and stores the operating modes", async (h) => {
  const cases: [unknown, string][] = [
    [body("thirteen-char"), "at most 12 characters"],
    [body("root", "short"), "at least 8 characters"],
    [body("root", "a-good-password", "another-password"), "do not match"],
    [body("root", "x".repeat(73)), "72 bytes"],
    [body("   "), "cannot be empty"],
    [{ username: "root" }, "password is required"],
  ];
  for (const [input, fragment] of cases) {
    const res = await anonymous(h, "POST", "/api/setup", input);
    assertEquals(res.status, 400, JSON.stringify(input));
    assertStringIncludes(res.body.message, fragment);
  }
  const ok = await anonymous(h, "POST", "/api/setup", body("owner"));
  assertEquals(ok.body.success, true);
  const root = await queryOne<{ role: unknown; quota: unknown; password: string }>(
    h.deps.db,
    "SELECT role, quota, password FROM users WHERE username = 'owner'",
  );
  assertEquals(asInt(root?.role), 100);
  assertEquals(asInt(root?.quota), 100_000_000);
  assert(root!.password.startsWith("$2"), "the password is stored as a bcrypt hash");
  assertEquals(h.deps.catalog.option("SelfUseModeEnabled"), "true");
  assertEquals((await anonymous(h, "GET", "/api/setup")).body.data.status, true);
  assertEquals((await anonymous(h, "GET", "/api/status")).body.data.setup, true);
  const me = await login(h, "owner", "a-good-password");
  assertEquals((await me.call("GET", "/api/user/self")).body.data.role, 100);
});

appTest("concurrent setup requests create exactly one root, and setup is locked afterwards", async (h) => {
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => anonymous(h, "POST", "/api/setup", body(`root${i}`))),
  );
  assertEquals(results.filter((r) => r.body.success).length, 1, results.map((r) => r.text).join("\n"));
  for (const r of results.filter((r) => !r.body.success)) assertEquals(r.status, 403);
  assertEquals(asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM users WHERE role = 100"))?.n), 1);
  assertEquals(asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM setups"))?.n), 1);
  const later = await anonymous(h, "POST", "/api/setup", body("intruder"));
  assertEquals(later.status, 403);
  assertStringIncludes(later.body.message, "already been initialized");
  // Even a process that has not cached "set up" (a second instance) refuses.
  h.deps.state.setUp = false;
  assertEquals((await anonymous(h, "POST", "/api/setup", body("intruder2"))).status, 403);
});

appTest("a cross-site browser POST to setup is refused", async (h) => {
  const res = await anonymous(h, "POST", "/api/setup", body("root"), { origin: "https://evil.example" });
  assertEquals(res.status, 403);
  assertEquals((await anonymous(h, "GET", "/api/setup")).body.data.status, false);
  const same = await anonymous(h, "POST", "/api/setup", body("root"), { origin: ORIGIN });
  assertEquals(same.body.success, true);
});
