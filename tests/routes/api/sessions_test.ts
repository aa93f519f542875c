/**
 * Console sign-in: cookie flags, rotation at login, logout, revocation on password change, demotion
 * and disabling effective on the next request, idle expiry, CSRF rules and the New-Api-User header.
 */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import {
  anonymous,
  cast,
  cookieClient,
  login,
  ORIGIN,
  sessionCookieOf,
  setupRoot,
  tokenClient,
} from "../../support/console_client.ts";
import { queryOne } from "../../../store/db.ts";

appTest("login sets an HttpOnly SameSite=Strict session cookie, Secure only over HTTPS", async (h) => {
  await setupRoot(h);
  const plain = await h.call("POST", "/api/user/login", { username: "root", password: "root-password-1" });
  const line = plain.headers.getSetCookie().find((l) => l.startsWith("session="))!;
  assertStringIncludes(line, "HttpOnly");
  assertStringIncludes(line, "SameSite=Strict");
  assertStringIncludes(line, "Path=/");
  assert(!line.includes("Secure"), line);
  assertEquals((await plain.json()).data.username, "root");
  // Behind a TLS-terminating proxy in TRUSTED_PROXIES (loopback here), its X-Forwarded-Proto counts.
  const behindTls = await h.app.request("/api/user/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
    body: JSON.stringify({ username: "root", password: "root-password-1" }),
  }, { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 } });
  assertStringIncludes(behindTls.headers.getSetCookie().find((l) => l.startsWith("session="))!, "Secure");
  // The cookie value is never stored: only its keyed hash is.
  const sid = sessionCookieOf(plain)!.slice("session=".length);
  const dump = JSON.stringify(await h.deps.db.query("SELECT * FROM console_sessions"));
  assert(!dump.includes(sid), "the session id is stored hashed");
}, { TRUSTED_PROXIES: "loopback" });

appTest("unknown users and wrong passwords get the same answer", async (h) => {
  await setupRoot(h);
  const unknown = await anonymous(h, "POST", "/api/user/login", {
    username: "nobody",
    password: "whatever-1",
  });
  const wrong = await anonymous(h, "POST", "/api/user/login", { username: "root", password: "whatever-1" });
  assertEquals(unknown.status, 401);
  assertEquals(wrong.status, 401);
  assertEquals(unknown.body, wrong.body);
});

appTest("login rotates the session; logout ends it; the old cookie is dead afterwards", async (h) => {
  await setupRoot(h);
  const first = await login(h, "root", "root-password-1");
  // Signing in again with the old cookie attached replaces it (no fixation).
  const again = await h.call("POST", "/api/user/login", { username: "root", password: "root-password-1" }, {
    cookie: first.cookie!,
    origin: ORIGIN,
  });
  const second = cookieClient(h, sessionCookieOf(again)!, first.userId);
  assert(second.cookie !== first.cookie);
  assertEquals((await first.call("GET", "/api/user/self")).status, 401, "the replaced session is revoked");
  assertEquals((await second.call("GET", "/api/user/self")).status, 200);
  const out = await second.call("POST", "/api/user/logout");
  assertEquals(out.body.success, true);
  assertStringIncludes(out.headers.getSetCookie().join("\n"), "session=;");
  assertEquals((await second.call("GET", "/api/user/self")).status, 401, "logout invalidates the cookie");
  const getLogout = await second.call("GET", "/api/user/logout");
  assertEquals(getLogout.status, 405, "a GET never signs out");
});

appTest(
  "a password change needs the current password, revokes other sessions and keeps this one",
  async (h) => {
    const { alice } = await cast(h);
    const laptop = alice;
    const phone = await login(h, "alice", "alice-password");
    const refused = await laptop.call("PUT", "/api/user/self", { password: "new-password-1" });
    assertEquals(refused.status, 400);
    const wrong = await laptop.call("PUT", "/api/user/self", {
      password: "new-password-1",
      original_password: "not-it-at-all",
    });
    assertEquals(wrong.status, 400);
    assertStringIncludes(wrong.body.message, "current password");
    const changed = await h.call("PUT", "/api/user/self", {
      password: "new-password-1",
      original_password: "alice-password",
    }, { cookie: laptop.cookie!, origin: ORIGIN });
    assertEquals(changed.status, 200);
    const renewed = cookieClient(h, sessionCookieOf(changed)!, alice.userId);
    assertEquals((await phone.call("GET", "/api/user/self")).status, 401, "other sessions are revoked");
    assertEquals((await renewed.call("GET", "/api/user/self")).status, 200, "this browser stays signed in");
    assertEquals(
      (await anonymous(h, "POST", "/api/user/login", { username: "alice", password: "alice-password" }))
        .status,
      401,
    );
    await login(h, "alice", "new-password-1");
  },
);

appTest(
  "demotion and disabling end sessions and access tokens on the next request",
  async (h) => {
    const { root, admin, alice } = await cast(h);
    const adminToken = tokenClient(h, (await admin.call("GET", "/api/user/token")).body.data, admin.userId);
    const aliceToken = tokenClient(h, (await alice.call("GET", "/api/user/token")).body.data, alice.userId);
    assertEquals((await admin.call("GET", "/api/user/")).status, 200);
    assertEquals((await adminToken.call("GET", "/api/user/")).status, 200);
    assertEquals(
      (await root.call("POST", "/api/user/manage", { id: admin.userId, action: "demote" })).body.data.role,
      1,
    );
    assertEquals((await admin.call("GET", "/api/user/")).status, 401, "the demoted admin's session ended");
    // Issue 14: the access token dies with the role change (tests/security/access_token_revoked_test.ts).
    assertEquals((await adminToken.call("GET", "/api/user/")).status, 401, "the demoted admin's token ended");
    assertEquals((await adminToken.call("GET", "/api/user/self")).status, 401);

    assertEquals(
      (await root.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" })).body.data.status,
      2,
    );
    assertEquals(
      (await alice.call("GET", "/api/user/self")).status,
      401,
      "the disabled user's session ended",
    );
    assertEquals(
      (await aliceToken.call("GET", "/api/user/self")).status,
      401,
      "the disabled user's token ended",
    );
    assertEquals(
      (await anonymous(h, "POST", "/api/user/login", { username: "alice", password: "alice-password" }))
        .status,
      401,
    );
    await root.call("POST", "/api/user/manage", { id: alice.userId, action: "enable" });
    assertEquals(
      (await aliceToken.call("GET", "/api/user/self")).status,
      401,
      "re-enabled: the old token stays dead",
    );
  },
);

appTest("a session idle for more than a day or past its lifetime is refused", async (h) => {
  await setupRoot(h);
  const root = await login(h, "root", "root-password-1");
  await h.deps.db.exec("UPDATE console_sessions SET last_seen_at = last_seen_at - 90000");
  assertEquals((await root.call("GET", "/api/user/self")).status, 401);
  const again = await login(h, "root", "root-password-1");
  await h.deps.db.exec("UPDATE console_sessions SET expires_at = 1 WHERE revoked_at IS NULL");
  assertEquals((await again.call("GET", "/api/user/self")).status, 401);
});

appTest("cookie writes must be same-origin; token writes and reads are exempt", async (h) => {
  const { alice } = await cast(h);
  const create = { name: "t", remain_quota: 1 };
  const evil = await alice.call("POST", "/api/token/", create, { origin: "https://evil.example" });
  assertEquals(evil.status, 403);
  assertEquals(
    (await alice.call("POST", "/api/token/", create, { "sec-fetch-site": "cross-site" })).status,
    403,
  );
  assertEquals(
    (await alice.call("POST", "/api/token/", create, { "sec-fetch-site": "same-site" })).status,
    403,
  );
  assertEquals(
    (await h.call("POST", "/api/token/", create, { cookie: alice.cookie! })).status,
    403,
    "a cookie write with neither Origin, Sec-Fetch-Site nor New-Api-User is refused",
  );
  assertEquals(
    (await alice.call("POST", "/api/token/", create, { "sec-fetch-site": "same-origin" })).status,
    200,
  );
  assertEquals(
    (await alice.call("GET", "/api/token/", undefined, { origin: "https://evil.example" })).status,
    200,
  );
  const token = (await alice.call("POST", "/api/user/token")).body.data;
  const viaToken = await h.call("POST", "/api/token/", create, {
    authorization: token,
    origin: "https://evil.example",
  });
  assertEquals(viaToken.status, 200, "a raw access token (no Bearer) is accepted and needs no origin check");
  assertEquals(
    (await alice.call("GET", "/api/user/token", undefined, { "sec-fetch-site": "cross-site" })).status,
    403,
  );
});

appTest("access tokens: stored hashed, New-Api-User must match, bad tokens answer 401", async (h) => {
  const { alice, bob } = await cast(h);
  const token = (await alice.call("GET", "/api/user/token")).body.data as string;
  assertEquals(token.length, 32);
  const row = await queryOne<{ access_token: unknown; access_token_hash: string }>(
    h.deps.db,
    "SELECT access_token, access_token_hash FROM users WHERE id = ?",
    [alice.userId],
  );
  assertEquals(row?.access_token ?? null, null);
  assert(row!.access_token_hash.startsWith("h1:") && !row!.access_token_hash.includes(token));
  const viaToken = tokenClient(h, token, alice.userId);
  assertEquals(
    (await viaToken.call("GET", "/api/user/self", undefined, { "New-Api-User": String(alice.userId) }))
      .status,
    200,
  );
  assertEquals(
    (await viaToken.call("GET", "/api/user/self", undefined, { "New-Api-User": String(bob.userId) })).status,
    401,
  );
  assertEquals((await alice.call("GET", "/api/user/self", undefined, { "New-Api-User": "abc" })).status, 401);
  for (const authorization of ["Bearer ", "Bearer sk-", "Bearer nope", "x".repeat(300)]) {
    const res = await anonymous(h, "GET", "/api/user/self", undefined, { authorization });
    assertEquals(res.status, 401, authorization);
    assertEquals(res.body.success, false);
  }
  // Regenerating replaces the old token.
  await viaToken.call("GET", "/api/user/token");
  assertEquals((await viaToken.call("GET", "/api/user/self")).status, 401);
});
