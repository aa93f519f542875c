/**
 * Turnstile on New API's guarded routes against a local siteverify that speaks Cloudflare's form
 * contract: no token, a rejected token, an unreachable service, a good token; the secret and the
 * client's token are what reach it; nothing is checked while the switch is off.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast, ORIGIN } from "../../support/console_client.ts";

const received: Record<string, string>[] = [];
const siteverify = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
  const form = Object.fromEntries(new URLSearchParams(await req.text()));
  received.push(form);
  if (form.response === "broken") return new Response("upstream trouble", { status: 500 });
  const success = form.secret === "ts-secret" && form.response === "good-token";
  return Response.json({ success, "error-codes": success ? [] : ["invalid-input-response"] });
});
siteverify.unref();
const port = siteverify.addr.port;

appTest("with TurnstileCheckEnabled, login and register need a token siteverify accepts", async (h) => {
  const { root } = await cast(h);
  const login = (query = "") =>
    anonymous(h, "POST", `/api/user/login${query}`, { username: "alice", password: "alice-password" }, {
      origin: ORIGIN,
    });
  assertEquals((await login()).body.success, true, "off: no check");
  for (
    const [key, value] of Object.entries({
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": JSON.stringify([String(port)]),
      TurnstileSecretKey: "ts-secret",
      TurnstileSiteKey: "ts-site",
      TurnstileCheckEnabled: "true",
    })
  ) assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true, key);
  const status = await anonymous(h, "GET", "/api/status");
  assertEquals([status.body.data.turnstile_check, status.body.data.turnstile_site_key], [true, "ts-site"]);
  const missing = await login();
  assertEquals([missing.status, missing.body.success], [400, false]);
  assertEquals((await login("?turnstile=bad-token")).status, 403);
  assertEquals((await login("?turnstile=broken")).status, 503);
  const passed = await login("?turnstile=good-token");
  assertEquals(passed.body.success, true, passed.text);
  assertEquals(received.at(-1)!.secret, "ts-secret");
  const register = await anonymous(h, "POST", "/api/user/register", {
    username: "newbie",
    password: "newbie-password",
  }, { origin: ORIGIN });
  assertEquals(register.status, 400);
  assertEquals((await anonymous(h, "GET", "/api/reset_password?email=a@example.com")).status, 400);
}, { TURNSTILE_SITEVERIFY_URL: `http://127.0.0.1:${port}/turnstile/v0/siteverify` });

globalThis.addEventListener("unload", () => siteverify.shutdown());
