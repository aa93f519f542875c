/**
 * T28 session-csrf-cors, the parts the session tests leave out: a CORS preflight from an arbitrary origin
 * gets no reflected origin with credentials on /api (and only `*`, never with credentials, on /v1);
 * GETs that used to change state in New API (logout, access-token generation) change nothing when
 * called cross-site; a cross-site cookie write is refused and changes nothing.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { cast, tokenClient } from "../support/console_client.ts";

const EVIL = "https://evil.example";

function preflight(h: AppHarness, path: string, method: string) {
  return Promise.resolve(h.app.request(path, {
    method: "OPTIONS",
    headers: {
      origin: EVIL,
      "access-control-request-method": method,
      "access-control-request-headers": "content-type, authorization",
    },
  }));
}

appTest("no origin is reflected with credentials; cross-site GETs and writes change nothing", async (h) => {
  const { alice } = await cast(h);
  for (
    const [path, method] of [["/api/user/self", "PUT"], ["/api/token/", "POST"], ["/api/user/login", "POST"]]
  ) {
    const res = await preflight(h, path, method);
    await res.body?.cancel();
    const allowed = res.headers.get("access-control-allow-origin");
    assert(allowed !== EVIL && allowed !== "*", `${path}: allow-origin ${allowed}`);
    assert(res.headers.get("access-control-allow-credentials") !== "true", `${path} allows credentials`);
  }
  const read = await alice.call("GET", "/api/user/self", undefined, { origin: EVIL });
  assert(read.headers.get("access-control-allow-origin") !== EVIL, "a credentialed read is not shared");

  const relay = await preflight(h, "/v1/chat/completions", "POST");
  await relay.body?.cancel();
  assertEquals(relay.headers.get("access-control-allow-origin"), "*", "API keys may be used from browsers");
  assert(relay.headers.get("access-control-allow-credentials") !== "true", "but never with cookies");

  // New API signs out on GET: here a GET leaves the session alone.
  const logout = await alice.call("GET", "/api/user/logout", undefined, { "sec-fetch-site": "cross-site" });
  assertEquals(logout.status, 405);
  assertEquals((await alice.call("GET", "/api/user/self")).status, 200, "the session survived");

  // New API generates the access token on GET: a cross-site GET cannot rotate it.
  const token = (await alice.call("POST", "/api/user/token")).body.data as string;
  const viaToken = tokenClient(h, token, alice.userId);
  const headers = { "new-api-user": String(alice.userId) };
  assertEquals((await viaToken.call("GET", "/api/user/self", undefined, headers)).status, 200);
  const crossSite: Record<string, string>[] = [{ "sec-fetch-site": "cross-site" }, { origin: EVIL }];
  for (const site of crossSite) {
    assertEquals((await alice.call("GET", "/api/user/token", undefined, site)).status, 403);
  }
  assertEquals(
    (await viaToken.call("GET", "/api/user/self", undefined, headers)).status,
    200,
    "the access token was not rotated",
  );

  const before = (await alice.call("GET", "/api/user/self")).body.data.display_name;
  const write = await alice.call("PUT", "/api/user/self", { display_name: "pwned" }, { origin: EVIL });
  assertEquals(write.status, 403);
  assertEquals((await alice.call("GET", "/api/user/self")).body.data.display_name, before);
});
