/**
 * TOTP 2FA through the API with codes computed from the secret the setup answered: enabling, the sign-in
 * step after the password, a code that works once, backup codes spent on use, the lock after 5 wrong
 * codes, the flow ended by a password change, disabling, and the admin routes.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { answer, cast, login, ORIGIN, sessionCookieOf } from "../../support/console_client.ts";
import { base32Decode, hotp, totpStep } from "../../../auth/totp.ts";
import { MAX_2FA_ATTEMPTS } from "../../../auth/two_factor.ts";
import { queryOne } from "../../../store/db.ts";

const codeAt = (secret: string, stepOffset = 0) =>
  hotp(base32Decode(secret)!, totpStep(Date.now() / 1000) + stepOffset);

/** The cast `cast(h)` already made, signed in again. */
async function reuseCast(h: AppHarness) {
  const root = await login(h, "root", "root-password-1");
  const admin = await login(h, "admin1", "admin1-password");
  const alice = await login(h, "alice", "alice-password");
  const bob = await login(h, "bob", "bob-password");
  return { root, admin, alice, bob };
}

async function password(h: AppHarness, username: string, pass: string) {
  const res = await h.call("POST", "/api/user/login", { username, password: pass }, { origin: ORIGIN });
  return { ...(await answer(res)), session: sessionCookieOf(res) };
}

async function second(h: AppHarness, flowToken: string, code: string) {
  const res = await h.call("POST", "/api/user/login/2fa", { code, flow_token: flowToken }, {
    origin: ORIGIN,
  });
  return { ...(await answer(res)), session: sessionCookieOf(res) };
}

/** Alice sets up and enables 2FA; answers her secret and backup codes. */
async function enable(h: AppHarness) {
  return await enableAs(h, await cast(h));
}

async function enableAs(h: AppHarness, people?: Awaited<ReturnType<typeof cast>>) {
  people ??= await reuseCast(h);
  const setup = await people.alice.call("POST", "/api/user/2fa/setup");
  assertEquals(setup.body.success, true, setup.text);
  const { secret, qr_code_data, backup_codes } = setup.body.data;
  assert(qr_code_data.startsWith("otpauth://totp/"), qr_code_data);
  assertEquals(backup_codes.length, 8);
  const wrong = await people.alice.call("POST", "/api/user/2fa/enable", { code: codeAt(secret, 5) });
  assertEquals(wrong.status, 400);
  const enableCode = codeAt(secret);
  const on = await people.alice.call("POST", "/api/user/2fa/enable", { code: enableCode });
  assertEquals(on.body.success, true, on.text);
  return { ...people, secret: secret as string, backupCodes: backup_codes as string[], enableCode };
}

appTest("2FA: setup and enable; the secret is sealed at rest and the backup codes hashed", async (h) => {
  await cast(h);
  const other = await password(h, "alice", "alice-password");
  const { alice, secret, backupCodes } = await enableAs(h);
  // Enabling ends alice's other sessions (signed in without the second factor); hers stays.
  const stale = await h.call("GET", "/api/user/self", undefined, { cookie: other.session! });
  assertEquals(stale.status, 401);
  const status = await alice.call("GET", "/api/user/2fa/status");
  assertEquals(status.body.data, { enabled: true, locked: false, backup_codes_remaining: 8 });
  const row = await queryOne(h.deps.db, "SELECT secret FROM two_fas WHERE user_id = ?", [alice.userId]);
  assert(String(row?.secret).startsWith("enc:v1:") && !String(row?.secret).includes(secret), "sealed");
  const dump = JSON.stringify(await h.deps.db.query("SELECT code_hash FROM two_fa_backup_codes"));
  assert(!backupCodes.some((c) => dump.includes(c) || dump.includes(c.replace("-", ""))), "hashed");
  assertEquals((await alice.call("POST", "/api/user/2fa/setup")).status, 400, "already on");
});

appTest("2FA sign-in: the password alone gives no session; the next code does, once", async (h) => {
  const { secret, enableCode } = await enable(h);
  const first = await password(h, "alice", "alice-password");
  assertEquals(first.body.data.require_2fa, true, first.text);
  assertEquals(first.session, undefined, "no session before the second factor");
  const flow = first.body.data.flow_token;
  // The code that enabled 2FA was used: it does not sign in.
  assertEquals((await second(h, flow, enableCode)).status, 400);
  const code = codeAt(secret, 1);
  const done = await second(h, flow, code);
  assertEquals(done.body.success, true, done.text);
  assert(done.session, "a session after the code");
  assertEquals(done.body.data.username, "alice");
  // The flow is spent, and the code too.
  assertEquals((await second(h, flow, code)).status, 401);
  const again = await password(h, "alice", "alice-password");
  assertEquals((await second(h, again.body.data.flow_token, code)).status, 400, "replayed code");
});

appTest("2FA: a backup code signs in once; 5 wrong codes lock even the right one", async (h) => {
  const { secret, backupCodes } = await enable(h);
  const a = await password(h, "alice", "alice-password");
  const withBackup = await second(h, a.body.data.flow_token, backupCodes[0].toLowerCase());
  assertEquals(withBackup.body.success, true, withBackup.text);
  const b = await password(h, "alice", "alice-password");
  assertEquals((await second(h, b.body.data.flow_token, backupCodes[0])).status, 400, "spent");
  for (let i = 1; i < MAX_2FA_ATTEMPTS; i++) {
    assertEquals((await second(h, b.body.data.flow_token, "000000")).status, 400);
  }
  const locked = await second(h, b.body.data.flow_token, codeAt(secret, 1));
  assertEquals(locked.status, 429, locked.text);
  assert(Number(locked.headers.get("retry-after")) > 0);
});

appTest("2FA: a password change ends a waiting sign-in; a made-up flow token is refused", async (h) => {
  const { alice, secret, root } = await enable(h);
  const a = await password(h, "alice", "alice-password");
  assertEquals(
    (await root.call("PUT", "/api/user/", { id: alice.userId, password: "changed-password-1" })).body.success,
    true,
  );
  assertEquals((await second(h, a.body.data.flow_token, codeAt(secret, 1))).status, 401);
  assertEquals((await second(h, "made-up", codeAt(secret, 1))).status, 401);
});

appTest("2FA: disable with a code; admins see stats and turn off a lower role's 2FA", async (h) => {
  const { alice, bob, admin, root, secret } = await enable(h);
  const stats = await admin.call("GET", "/api/user/2fa/stats");
  assertEquals(stats.body.data.enabled_users, 1);
  assertEquals((await bob.call("GET", "/api/user/2fa/stats")).status, 403);
  assertEquals((await bob.call("DELETE", `/api/user/${alice.userId}/2fa`)).status, 403);
  assertEquals((await admin.call("DELETE", `/api/user/${root.userId}/2fa`)).status, 403);
  assertEquals((await alice.call("POST", "/api/user/2fa/disable", { code: "000000" })).status, 400);
  const off = await alice.call("POST", "/api/user/2fa/disable", { code: codeAt(secret, 1) });
  assertEquals(off.body.success, true, off.text);
  assertEquals((await alice.call("GET", "/api/user/2fa/status")).body.data, {
    enabled: false,
    locked: false,
  });
  const plain = await password(h, "alice", "alice-password");
  assert(plain.session, "no second step once off");
  // Bob turns it on; an admin turns it off and his sessions end.
  const setup = await bob.call("POST", "/api/user/2fa/setup");
  await bob.call("POST", "/api/user/2fa/enable", { code: codeAt(setup.body.data.secret) });
  assertEquals((await admin.call("DELETE", `/api/user/${bob.userId}/2fa`)).body.success, true);
  assertEquals((await bob.call("GET", "/api/user/self")).status, 401);
});
