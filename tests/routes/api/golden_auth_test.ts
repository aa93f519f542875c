/**
 * Golden shapes of New API's sign-in answers (tests/fixtures/new_api/golden/auth.json): the login data,
 * the 2FA routes and the login's require_2fa step, the passkey options and status, the OAuth state.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { answer, cast, ORIGIN } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";
import { base32Decode, hotp, totpStep } from "../../../auth/totp.ts";

const golden = await readGolden("auth");

appTest("sign-in answers have New API's keys, types and envelope", async (h) => {
  const { root, alice } = await cast(h);
  await root.call("PUT", "/api/option/", { key: "passkey.enabled", value: "true" });
  await root.call("PUT", "/api/option/", { key: "ServerAddress", value: "http://localhost" });
  const problems: string[] = [];
  const check = (route: string, body: unknown, item: string) => {
    assertEquals((body as { success: boolean }).success, true, `${route}: ${JSON.stringify(body)}`);
    problems.push(...answerProblems(golden, route, body, { item }));
  };
  const login = (username: string, password: string) =>
    h.call("POST", "/api/user/login", { username, password }, { origin: ORIGIN }).then(answer);
  check("POST /api/user/login", (await login("alice", "alice-password")).body, "login");
  check("GET /api/user/2fa/status", (await alice.call("GET", "/api/user/2fa/status")).body, "twofa_status");
  const setup = await alice.call("POST", "/api/user/2fa/setup");
  check("POST /api/user/2fa/setup", setup.body, "twofa_setup");
  const key = base32Decode(setup.body.data.secret)!;
  const now = totpStep(Date.now() / 1000);
  assertEquals(
    (await alice.call("POST", "/api/user/2fa/enable", { code: hotp(key, now) })).body.success,
    true,
  );
  check(
    "GET /api/user/2fa/status (on)",
    (await alice.call("GET", "/api/user/2fa/status")).body,
    "twofa_status",
  );
  check("POST /api/user/login (2FA)", (await login("alice", "alice-password")).body, "login_2fa_required");
  const codes = await alice.call("POST", "/api/user/2fa/backup_codes", { code: hotp(key, now + 1) });
  check("POST /api/user/2fa/backup_codes", codes.body, "twofa_backup_codes");
  check("GET /api/user/2fa/stats", (await root.call("GET", "/api/user/2fa/stats")).body, "twofa_stats");
  check(
    "POST /api/user/passkey/register/begin",
    (await alice.call("POST", "/api/user/passkey/register/begin")).body,
    "passkey_options",
  );
  const begin = await h.call("POST", "/api/user/passkey/login/begin", undefined, { origin: ORIGIN }).then(
    answer,
  );
  check("POST /api/user/passkey/login/begin", begin.body, "passkey_options");
  check("GET /api/user/passkey", (await alice.call("GET", "/api/user/passkey")).body, "passkey_status");
  const state = await h.call("POST", "/api/oauth/state", undefined, { origin: ORIGIN }).then(answer);
  assertEquals([state.body.success, typeof state.body.data], [true, "string"]);
  assertEquals(problems, []);
});
