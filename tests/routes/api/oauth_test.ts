/**
 * OAuth sign-in against a local provider speaking the real code flow: sign-up, sign-in, binding to the
 * signed-in account, and the attacks: a state from another browser, a replayed callback, a spent code,
 * a forged, expired, mis-addressed or substituted id_token, an unverified email, a disabled account,
 * Linux DO's trust level, a rotated signing key.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { anonymous, answer, cast, ORIGIN, sessionCookieOf } from "../../support/console_client.ts";
import { type FakeUser, startFakeOAuth } from "../../support/fake_oauth.ts";
import { queryOne } from "../../../store/db.ts";
import { forgetOidcCaches } from "../../../auth/oauth_providers.ts";

const fake = await startFakeOAuth();

async function configure(
  h: AppHarness,
  providers: ("github" | "oidc" | "linuxdo" | "discord")[],
  extra = {},
) {
  const people = await cast(h);
  forgetOidcCaches();
  for (const [key, value] of Object.entries({ ...fake.options(providers), ...extra })) {
    const res = await people.root.call("PUT", "/api/option/", { key, value });
    assertEquals(res.body.success, true, `${key}: ${res.text}`);
  }
  return people;
}

function flowCookieOf(res: Response, existing = ""): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith("oauth_flow="));
  // A browser that has a flow cookie keeps it.
  if (!line && existing.includes("oauth_flow=")) return "";
  assert(line, "no flow cookie");
  return line.split(";")[0];
}

/** Starts a flow at `/api/oauth/:provider/start` and consents at the fake as `user`. */
async function consent(h: AppHarness, provider: string, user: FakeUser, cookie = "") {
  const start = await h.call("GET", `/api/oauth/${provider}/start`, undefined, cookie ? { cookie } : {});
  assertEquals(start.status, 302, await start.clone().text());
  const flow = flowCookieOf(start, cookie);
  fake.user = user;
  const back = await fake.authorize(start.headers.get("location")!);
  assertEquals(back.redirectUri, `http://localhost/oauth/${provider}`);
  return { ...back, flow, cookie: [cookie, flow].filter(Boolean).join("; ") };
}

const callback = async (h: AppHarness, provider: string, code: string, state: string, cookie: string) => {
  const res = await h.call("GET", `/api/oauth/${provider}?code=${code}&state=${state}`, undefined, {
    cookie,
  });
  return { ...(await answer(res)), session: sessionCookieOf(res) };
};

const octo: FakeUser = { id: 583231, login: "octo", name: "The Octocat", email: "octo@example.com" };

const env = fake.env;

appTest("GitHub: New API's state route, sign-up, sign-in again, a session that works", async (h) => {
  await configure(h, ["github"]);
  // A New API front-end: POST /api/oauth/state, then the authorize URL it builds itself.
  const stateRes = await h.call("POST", "/api/oauth/state", undefined, { origin: ORIGIN });
  const { data: state } = await stateRes.clone().json();
  const flow = flowCookieOf(stateRes);
  fake.user = octo;
  const back = await fake.authorize(
    `${fake.base}/login/oauth/authorize?client_id=fake-client-id&state=${state}`,
  );
  assertEquals(back.state, state);
  const first = await callback(h, "github", back.code, back.state, flow);
  assertEquals(first.body.success, true, first.text);
  assertEquals(first.body.data.username, "octo");
  const row = await queryOne(
    h.deps.db,
    "SELECT id, github_id, email, display_name FROM users WHERE username = ?",
    [
      "octo",
    ],
  );
  assertEquals([row?.github_id, row?.email, row?.display_name], [
    "583231",
    "octo@example.com",
    "The Octocat",
  ]);
  const self = await anonymous(h, "GET", "/api/user/self", undefined, { cookie: first.session! });
  assertEquals(self.body.data.username, "octo");

  const again = await consent(h, "github", { ...octo, login: "renamed" });
  const second = await callback(h, "github", again.code, again.state, again.cookie);
  assertEquals(second.body.data.id, first.body.data.id, "the numeric id is the binding, not the login");
}, env);

appTest("a state from another browser, a replayed callback and a spent code are refused", async (h) => {
  await configure(h, ["github"]);
  const a = await consent(h, "github", octo);
  // Another browser (no flow cookie, or its own) cannot use this state.
  assertEquals((await callback(h, "github", a.code, a.state, "")).status, 403);
  const other = flowCookieOf(await h.call("POST", "/api/oauth/state", undefined, { origin: ORIGIN }));
  assertEquals((await callback(h, "github", a.code, a.state, other)).status, 403);
  // The owner still can, once.
  const ok = await callback(h, "github", a.code, a.state, a.cookie);
  assertEquals(ok.body.success, true, ok.text);
  const replay = await callback(h, "github", a.code, a.state, a.cookie);
  assertEquals([replay.status, replay.body.message], [
    403,
    "The sign-in state is invalid or has expired; start again.",
  ]);
  // A fresh state with the spent code: the provider refuses it, and so do we.
  const fresh = flowCookieOf(await h.call("POST", "/api/oauth/state", undefined, { origin: ORIGIN }));
  const s2 = await consent(h, "github", octo, fresh);
  const spent = await callback(h, "github", a.code, s2.state, s2.cookie);
  assertEquals(spent.status, 502, spent.text);
  assertEquals(spent.session, undefined);
}, env);

appTest(
  "binding: the signed-in user binds, a taken account is refused, admins clear it, disabled users refused",
  async (h) => {
    const { alice, bob, admin } = await configure(h, ["github"]);
    const a = await consent(h, "github", octo, alice.cookie!);
    const bound = await callback(h, "github", a.code, a.state, a.cookie);
    assertEquals([bound.body.success, bound.body.data], [true, { action: "bind" }], bound.text);
    assertEquals(
      (await queryOne(h.deps.db, "SELECT github_id FROM users WHERE id = ?", [alice.userId]))?.github_id,
      "583231",
    );
    // Signing in with that GitHub account is signing in as alice.
    const s = await consent(h, "github", octo);
    assertEquals((await callback(h, "github", s.code, s.state, s.cookie)).body.data.id, alice.userId);
    // Bob cannot take it.
    const b = await consent(h, "github", octo, bob.cookie!);
    assertEquals((await callback(h, "github", b.code, b.state, b.cookie)).status, 409);
    // Disabled: refused.
    assertEquals(
      (await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" })).body.success,
      true,
    );
    const d = await consent(h, "github", octo);
    const refused = await callback(h, "github", d.code, d.state, d.cookie);
    assertEquals([refused.status, refused.session], [403, undefined]);
    // An admin clears the binding; a common user may not.
    assertEquals((await bob.call("DELETE", `/api/user/${alice.userId}/bindings/github`)).status, 403);
    assertEquals(
      (await admin.call("DELETE", `/api/user/${alice.userId}/bindings/github`)).body.success,
      true,
    );
    assertEquals(
      (await queryOne(h.deps.db, "SELECT github_id FROM users WHERE id = ?", [alice.userId]))?.github_id,
      "",
    );
    assertEquals((await admin.call("DELETE", `/api/user/${alice.userId}/bindings/myspace`)).status, 400);
  },
  env,
);

appTest(
  "OIDC: discovery, PKCE and nonce, a verified id_token; an unverified email is not taken",
  async (h) => {
    await configure(h, ["oidc"]);
    const u: FakeUser = { id: 7, login: "olive", email: "olive@example.com", emailVerified: false };
    const f = await consent(h, "oidc", u);
    const res = await callback(h, "oidc", f.code, f.state, f.cookie);
    assertEquals(res.body.success, true, res.text);
    const sent = fake.tokenRequests.at(-1)!;
    assertEquals(sent.path, "/oidc/token");
    assert(sent.body.code_verifier && sent.body.code_verifier.length >= 43, "PKCE verifier sent");
    const row = await queryOne(h.deps.db, "SELECT oidc_id, email FROM users WHERE username = ?", ["olive"]);
    assertEquals([row?.oidc_id, row?.email], ["sub-7", ""]);
  },
  env,
);

appTest(
  "OIDC: forged, expired, mis-addressed and substituted id_tokens are refused; a rotated key is fetched",
  async (h) => {
    await configure(h, ["oidc"]);
    const u: FakeUser = { id: 8, login: "oscar", email: "oscar@example.com" };
    for (const forgery of ["bad-signature", "expired", "wrong-audience", "other-subject"] as const) {
      const f = await consent(h, "oidc", u);
      fake.forge = forgery;
      const res = await callback(h, "oidc", f.code, f.state, f.cookie);
      assertEquals([res.status, res.session], [401, undefined], `${forgery}: ${res.text}`);
    }
    assertEquals(await queryOne(h.deps.db, "SELECT id FROM users WHERE username = ?", ["oscar"]), undefined);
    const warm = await consent(h, "oidc", u);
    assertEquals((await callback(h, "oidc", warm.code, warm.state, warm.cookie)).body.success, true);
    await fake.rotate();
    const f = await consent(h, "oidc", u);
    const res = await callback(h, "oidc", f.code, f.state, f.cookie);
    assertEquals(res.body.success, true, res.text);
  },
  env,
);

appTest(
  "Linux DO: below LinuxDOMinimumTrustLevel refused, at it signed up; registration off refuses new users",
  async (h) => {
    const { root } = await configure(h, ["linuxdo"], { LinuxDOMinimumTrustLevel: "2" });
    const low = await consent(h, "linuxdo", { id: 31, login: "lin", trustLevel: 1 });
    const refused = await callback(h, "linuxdo", low.code, low.state, low.cookie);
    assertEquals(refused.status, 403, refused.text);
    const ok = await consent(h, "linuxdo", { id: 31, login: "lin", trustLevel: 2 });
    const done = await callback(h, "linuxdo", ok.code, ok.state, ok.cookie);
    assertEquals(done.body.success, true, done.text);
    assertEquals(
      (await queryOne(h.deps.db, "SELECT linux_do_id FROM users WHERE username = ?", ["lin"]))?.linux_do_id,
      "31",
    );
    await root.call("PUT", "/api/option/", { key: "RegisterEnabled", value: "false" });
    const closed = await consent(h, "linuxdo", { id: 32, login: "lin2", trustLevel: 3 });
    assertEquals((await callback(h, "linuxdo", closed.code, closed.state, closed.cookie)).status, 403);
  },
  env,
);

appTest("a provider that is off, or unknown, answers in the envelope", async (h) => {
  await configure(h, []);
  assertEquals((await anonymous(h, "GET", "/api/oauth/github/start")).status, 403);
  const unknown = await anonymous(h, "GET", "/api/oauth/myspace?code=x&state=y");
  assertEquals([unknown.status, unknown.body.success], [400, false]);
}, env);

globalThis.addEventListener("unload", () => fake[Symbol.asyncDispose]());
