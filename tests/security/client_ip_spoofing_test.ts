/**
 * Issue 14, item 2: a client cannot choose its own IP with `X-Forwarded-For` / `X-Real-IP`. With the
 * default configuration nobody's forwarded headers are believed (not even a loopback peer's), so
 * rotating them does not buy a fresh per-IP budget; behind a configured proxy the right-most untrusted
 * hop is the client and the hops left of it (written by the client) are ignored.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";

const peer = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 40000 } });

/** A sign-in attempt (each a different unknown user, so only the per-IP limit can refuse it). */
function attempt(h: AppHarness, n: number, from: string, headers: Record<string, string>) {
  return Promise.resolve(h.app.request("/api/user/login", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username: `nobody-${n}`, password: "wrong-password" }),
  }, peer(from)));
}

const limits = { CRITICAL_RATE_LIMIT_ENABLE: "true", CRITICAL_RATE_LIMIT: "5" };

appTest(
  "with the default TRUSTED_PROXIES a loopback peer's rotating XFF and X-Real-IP do not evade the per-IP limit",
  async (h) => {
    assertEquals(h.deps.config.trustedProxies, "none");
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) {
      const spoof = `203.0.113.${i + 1}`;
      const res = await attempt(h, i, "127.0.0.1", { "x-forwarded-for": spoof, "x-real-ip": spoof });
      codes.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(codes.slice(0, 5), [401, 401, 401, 401, 401]);
    assertEquals(codes.slice(5), Array(20).fill(429), codes.join(","));
    // The same holds for a private-network peer (a container network, a LAN neighbour).
    for (let i = 0; i < 5; i++) {
      await (await attempt(h, 100 + i, "10.0.0.7", { "x-real-ip": `198.51.100.${i}` })).body?.cancel();
    }
    assertEquals((await attempt(h, 200, "10.0.0.7", { "x-real-ip": "198.51.100.99" })).status, 429);
  },
  limits,
);

appTest(
  "behind a configured proxy the right-most untrusted X-Forwarded-For hop is the client; spoofed left-most hops are ignored",
  async (h) => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      // The client forged the first hop; our proxies appended the real client, then an internal hop.
      const xff = `203.0.113.${i + 1}, 198.51.100.20, 10.1.2.3`;
      const res = await attempt(h, i, "10.9.9.9", { "x-forwarded-for": xff, "x-real-ip": `192.0.2.${i}` });
      codes.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(codes, [401, 401, 401, 401, 401, 429, 429]);
    // Another real client behind the same proxy has its own budget.
    const other = await attempt(h, 50, "10.9.9.9", { "x-forwarded-for": "203.0.113.1, 198.51.100.21" });
    assertEquals(other.status, 401);
    // A peer outside TRUSTED_PROXIES is itself the client, whatever it forwards.
    const direct = await attempt(h, 60, "198.51.100.20", { "x-forwarded-for": "192.0.2.200" });
    assertEquals(direct.status, 429, "198.51.100.20 already spent its budget through the proxy");
    const fresh = await attempt(h, 61, "198.51.100.30", { "x-forwarded-for": "198.51.100.20" });
    assert(fresh.status !== 429, "a forwarded address from an untrusted peer is not believed");
  },
  { ...limits, TRUSTED_PROXIES: "10.0.0.0/8" },
);
