/**
 * WeChat sign-in through a local WeChat auth server speaking its real protocol, on the three stores:
 * sign-up as `wechat_<n>`, sign-in again, binding to the signed-in user (POST only), a spent or unknown
 * code, a wrong server token, the SSRF guard, registration off, and the switch.
 */
import { assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { anonymous, answer, cast, ORIGIN, sessionCookieOf } from "../../support/console_client.ts";
import { FAKE_WECHAT_TOKEN, startFakeWeChat } from "../../support/fake_wechat.ts";
import { queryOne } from "../../../store/db.ts";

const fake = startFakeWeChat();

async function configure(h: AppHarness, extra: Record<string, string> = {}) {
  const people = await cast(h);
  for (const [key, value] of Object.entries({ ...fake.options(), ...extra })) {
    const res = await people.root.call("PUT", "/api/option/", { key, value });
    assertEquals(res.body.success, true, `${key}: ${res.text}`);
  }
  return people;
}

const signIn = async (h: AppHarness, code: string) => {
  const res = await h.call("GET", `/api/oauth/wechat?code=${code}`);
  return { ...(await answer(res)), session: sessionCookieOf(res) };
};

appTest("status announces WeChat and its QR code; the server token stays out of the options", async (h) => {
  const { root } = await configure(h);
  const status = (await anonymous(h, "GET", "/api/status")).body.data;
  assertEquals([status.wechat_login, status.wechat_qrcode], [true, "https://example.com/wechat-qr.png"]);
  const keys = ((await root.call("GET", "/api/option/")).body.data as { key: string }[]).map((o) => o.key);
  assertEquals([keys.includes("WeChatServerAddress"), keys.includes("WeChatServerToken")], [true, false]);
});

appTest("a code signs up wechat_<n>, the same openid signs in again; a spent code is refused", async (h) => {
  await configure(h);
  const code = fake.issue("openid-alpha");
  const first = await signIn(h, code);
  assertEquals(first.body.success, true, first.text);
  assertEquals(fake.requests.at(-1), { code, authorization: FAKE_WECHAT_TOKEN });
  const row = await queryOne(h.deps.db, "SELECT username, display_name, wechat_id FROM users WHERE id = ?", [
    first.body.data.id,
  ]);
  assertEquals([row?.display_name, row?.wechat_id], ["WeChat User", "openid-alpha"]);
  assertEquals(String(row?.username).startsWith("wechat_"), true);
  const self = await anonymous(h, "GET", "/api/user/self", undefined, { cookie: first.session! });
  assertEquals(self.body.data.id, first.body.data.id);

  const again = await signIn(h, fake.issue("openid-alpha"));
  assertEquals(again.body.data.id, first.body.data.id);
  const spent = await signIn(h, code);
  assertEquals([spent.status, spent.body.success, spent.session], [400, false, undefined]);
  assertEquals((await signIn(h, "")).status, 400);
  assertEquals((await signIn(h, "x".repeat(65))).status, 400);
});

appTest("bind: POST with the signed-in session; a taken openid is refused; GET is no bind", async (h) => {
  const { alice, bob } = await configure(h);
  const bound = await alice.call("POST", "/api/oauth/wechat/bind", { code: fake.issue("openid-alice") });
  assertEquals(bound.body.success, true, bound.text);
  assertEquals(
    (await queryOne(h.deps.db, "SELECT wechat_id FROM users WHERE id = ?", [alice.userId]))?.wechat_id,
    "openid-alice",
  );
  assertEquals((await signIn(h, fake.issue("openid-alice"))).body.data.id, alice.userId);
  const taken = await bob.call("POST", "/api/oauth/wechat/bind", { code: fake.issue("openid-alice") });
  assertEquals([taken.status, taken.body.success], [409, false]);
  // Signed out, cross-site, or the old GET: no binding.
  const anon = await anonymous(h, "POST", "/api/oauth/wechat/bind", { code: fake.issue("x") }, {
    origin: ORIGIN,
  });
  assertEquals(anon.status, 401);
  const crossSite = await bob.call("POST", "/api/oauth/wechat/bind", { code: fake.issue("openid-bob") }, {
    origin: "https://evil.example",
  });
  assertEquals(crossSite.status, 403);
  assertEquals(
    (await bob.call("GET", `/api/oauth/wechat/bind?code=${fake.issue("openid-bob")}`)).status,
    404,
  );
});

appTest("a wrong server token, a private address the guard refuses, registration off", async (h) => {
  const { root } = await configure(h, { WeChatServerToken: "wrong" });
  const refused = await signIn(h, fake.issue("openid-beta"));
  assertEquals([refused.status, refused.body.success], [502, false]);
  await root.call("PUT", "/api/option/", { key: "WeChatServerToken", value: FAKE_WECHAT_TOKEN });
  await root.call("PUT", "/api/option/", { key: "fetch_setting.allow_private_ip", value: "false" });
  const guarded = await signIn(h, fake.issue("openid-beta"));
  assertEquals(guarded.status, 502, guarded.text);
  await root.call("PUT", "/api/option/", { key: "fetch_setting.allow_private_ip", value: "true" });
  await root.call("PUT", "/api/option/", { key: "RegisterEnabled", value: "false" });
  const closed = await signIn(h, fake.issue("openid-beta"));
  assertEquals([closed.status, closed.session], [403, undefined]);
  await root.call("PUT", "/api/option/", { key: "WeChatAuthEnabled", value: "false" });
  const off = await signIn(h, fake.issue("openid-beta"));
  assertEquals([off.status, off.body.success], [403, false]);
});

globalThis.addEventListener("unload", () => fake[Symbol.asyncDispose]());
