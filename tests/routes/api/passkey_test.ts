/**
 * Passkeys through the API with a software authenticator producing real attestations and ES256
 * assertions: register, sign in without a username, and the refusals: a replayed assertion, a ceremony
 * from another browser, a spoiled signature, another origin, a disabled user; status, delete and the
 * admin reset.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { answer, cast, ORIGIN, sessionCookieOf } from "../../support/console_client.ts";
import { softAuthenticator } from "../../support/soft_authenticator.ts";
import { queryOne } from "../../../store/db.ts";

async function configure(h: AppHarness) {
  const people = await cast(h);
  for (
    const [key, value] of Object.entries({ "passkey.enabled": "true", ServerAddress: "http://localhost" })
  ) {
    assertEquals((await people.root.call("PUT", "/api/option/", { key, value })).body.success, true, key);
  }
  return people;
}

async function beginLogin(h: AppHarness) {
  const res = await h.call("POST", "/api/user/passkey/login/begin", undefined, { origin: ORIGIN });
  const line = res.headers.getSetCookie().find((l) => l.startsWith("passkey_login="))!;
  const body = await res.json();
  assertEquals(body.success, true, JSON.stringify(body));
  return { options: body.data.options.publicKey, cookie: line.split(";")[0] };
}

async function finishLogin(h: AppHarness, cookie: string, assertion: unknown) {
  const res = await h.call("POST", "/api/user/passkey/login/finish", assertion, { origin: ORIGIN, cookie });
  return { ...(await answer(res)), session: sessionCookieOf(res) };
}

appTest("passkey: register with a real attestation, then sign in with an ES256 assertion", async (h) => {
  const { alice } = await configure(h);
  const key = softAuthenticator();
  const begin = await alice.call("POST", "/api/user/passkey/register/begin");
  assertEquals(begin.body.success, true, begin.text);
  assertEquals(begin.body.data.options.publicKey.rp.id, "localhost");
  const finish = await alice.call(
    "POST",
    "/api/user/passkey/register/finish",
    key.register(begin.body.data.options.publicKey, ORIGIN),
  );
  assertEquals(finish.body.success, true, finish.text);
  const row = await queryOne(h.deps.db, "SELECT credential_id FROM passkey_credentials WHERE user_id = ?", [
    alice.userId,
  ]);
  assertEquals(row?.credential_id, btoa(String.fromCharCode(...key.credentialId)));
  assertEquals((await alice.call("GET", "/api/user/passkey")).body.data.enabled, true);
  // The registration challenge was spent.
  assertEquals(
    (await alice.call(
      "POST",
      "/api/user/passkey/register/finish",
      key.register(begin.body.data.options.publicKey, ORIGIN),
    )).status,
    400,
  );

  const login = await beginLogin(h);
  const assertion = key.assert(login.options, ORIGIN);
  const done = await finishLogin(h, login.cookie, assertion);
  assertEquals(done.body.success, true, done.text);
  assertEquals(done.body.data.username, "alice");
  assert(done.session, "a session");
  assertEquals(
    (await queryOne(h.deps.db, "SELECT sign_count FROM passkey_credentials WHERE user_id = ?", [
      alice.userId,
    ]))?.sign_count,
    1,
  );
  // Replayed: the challenge is spent, and a new ceremony's challenge is not the one signed.
  assertEquals((await finishLogin(h, login.cookie, assertion)).status, 400);
  const other = await beginLogin(h);
  assertEquals((await finishLogin(h, other.cookie, assertion)).status, 400);
});

appTest(
  "passkey: another browser's ceremony, a spoiled signature, another origin and a disabled user are refused",
  async (h) => {
    const { alice, admin, bob } = await configure(h);
    const key = softAuthenticator();
    const begin = await alice.call("POST", "/api/user/passkey/register/begin");
    assertEquals(
      (await alice.call(
        "POST",
        "/api/user/passkey/register/finish",
        key.register(begin.body.data.options.publicKey, ORIGIN),
      )).body.success,
      true,
    );
    const a = await beginLogin(h);
    assertEquals((await finishLogin(h, "", key.assert(a.options, ORIGIN))).status, 400, "no ceremony cookie");
    const b = await beginLogin(h);
    assertEquals((await finishLogin(h, b.cookie, key.assert(b.options, ORIGIN, "signature"))).status, 400);
    const c = await beginLogin(h);
    assertEquals(
      (await finishLogin(h, c.cookie, key.assert({ ...c.options, rpId: "localhost" }, "http://evil.example")))
        .status,
      400,
    );
    assertEquals(
      (await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" })).body.success,
      true,
    );
    const d = await beginLogin(h);
    const refused = await finishLogin(h, d.cookie, key.assert(d.options, ORIGIN));
    assertEquals([refused.status, refused.session], [403, undefined]);
    // Admin reset (lower roles only), and a user's own delete.
    assertEquals((await bob.call("DELETE", `/api/user/${alice.userId}/reset_passkey`)).status, 403);
    assertEquals((await admin.call("DELETE", `/api/user/${alice.userId}/reset_passkey`)).body.success, true);
    assertEquals((await admin.call("DELETE", `/api/user/${alice.userId}/reset_passkey`)).status, 400);
    const status = await anonymousStatus(h);
    assertEquals(status.passkey_login, true);
  },
);

appTest("passkey sign-in skips the 2FA step; passkeys off refuses the ceremonies", async (h) => {
  const { alice, root } = await configure(h);
  const key = softAuthenticator();
  const begin = await alice.call("POST", "/api/user/passkey/register/begin");
  await alice.call(
    "POST",
    "/api/user/passkey/register/finish",
    key.register(begin.body.data.options.publicKey, ORIGIN),
  );
  const setup = await alice.call("POST", "/api/user/2fa/setup");
  const { hotp, base32Decode, totpStep } = await import("../../../auth/totp.ts");
  const code = hotp(base32Decode(setup.body.data.secret)!, totpStep(Date.now() / 1000));
  assertEquals((await alice.call("POST", "/api/user/2fa/enable", { code })).body.success, true);
  const login = await beginLogin(h);
  const done = await finishLogin(h, login.cookie, key.assert(login.options, ORIGIN));
  assertEquals(done.body.data.username, "alice", done.text);
  assert(done.session);
  await root.call("PUT", "/api/option/", { key: "passkey.enabled", value: "false" });
  assertEquals(
    (await h.call("POST", "/api/user/passkey/login/begin", undefined, { origin: ORIGIN })).status,
    403,
  );
  assertEquals((await alice.call("DELETE", "/api/user/passkey")).body.success, true);
  assertEquals((await alice.call("GET", "/api/user/passkey")).body.data, { enabled: false });
});

async function anonymousStatus(h: AppHarness) {
  return (await (await h.call("GET", "/api/status")).json()).data;
}
