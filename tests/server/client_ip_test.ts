import { Hono } from "hono";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import {
  clientIpMiddleware,
  parseTrustedProxies,
  resolveClientIp,
  resolveForwarded,
} from "../../server/client_ip.ts";

const defaults = parseTrustedProxies("loopback,private");
const h = (init: Record<string, string>) => new Headers(init);

Deno.test("a spoofed X-Forwarded-For from an untrusted peer is ignored", () => {
  const headers = h({ "x-forwarded-for": "1.1.1.1", "x-real-ip": "2.2.2.2" });
  assertEquals(resolveClientIp("203.0.113.7", headers, defaults), "203.0.113.7");
  assertEquals(resolveClientIp("2001:db8::7", headers, defaults), "2001:db8::7");
});

Deno.test("behind a trusted proxy the rightmost untrusted hop is the client", () => {
  // The client forged "6.6.6.6"; our proxy chain appended the real client, then an internal hop.
  const headers = h({ "x-forwarded-for": "6.6.6.6, 198.51.100.20, 10.0.0.8" });
  assertEquals(resolveClientIp("127.0.0.1", headers, defaults), "198.51.100.20");
  assertEquals(resolveClientIp("::1", headers, defaults), "198.51.100.20");
  assertEquals(resolveClientIp("::ffff:127.0.0.1", headers, defaults), "198.51.100.20", "mapped loopback");
});

Deno.test("when every hop is trusted the leftmost is the client", () => {
  assertEquals(
    resolveClientIp("10.0.0.1", h({ "x-forwarded-for": "192.168.1.5, 10.0.0.2" }), defaults),
    "192.168.1.5",
  );
});

Deno.test("a malformed hop ends the walk: X-Real-IP, then the peer", () => {
  const bad = h({ "x-forwarded-for": "1.1.1.1, not-an-ip" });
  assertEquals(resolveClientIp("127.0.0.1", bad, defaults), "127.0.0.1");
  bad.set("x-real-ip", "198.51.100.9");
  assertEquals(resolveClientIp("127.0.0.1", bad, defaults), "198.51.100.9");
  assertEquals(resolveClientIp("127.0.0.1", h({ "x-real-ip": "2001:db8::1" }), defaults), "2001:db8::1");
});

Deno.test("TRUSTED_PROXIES=none trusts nobody, explicit CIDRs trust only themselves", () => {
  const xff = h({ "x-forwarded-for": "198.51.100.1" });
  assertEquals(resolveClientIp("127.0.0.1", xff, parseTrustedProxies("none")), "127.0.0.1");
  const custom = parseTrustedProxies("203.0.113.0/24");
  assertEquals(resolveClientIp("203.0.113.50", xff, custom), "198.51.100.1");
  assertEquals(resolveClientIp("10.0.0.1", xff, custom), "10.0.0.1");
});

Deno.test("an unreadable TRUSTED_PROXIES entry is an error naming it", () => {
  let message = "";
  try {
    parseTrustedProxies("loopback, 10.0.0.0/33");
  } catch (err) {
    message = (err as Error).message;
  }
  assertStringIncludes(message, '"10.0.0.0/33"');
});

Deno.test("the middleware reads the peer Deno.serve hands to Hono", async () => {
  const app = new Hono();
  app.use("*", clientIpMiddleware(defaults));
  app.get("/ip", (c) => c.text(c.get("clientIp")));
  const env = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 5555 } });
  const spoof = { headers: { "x-forwarded-for": "9.9.9.9" } };
  assertEquals(await (await app.request("/ip", spoof, env("198.51.100.3"))).text(), "198.51.100.3");
  assertEquals(await (await app.request("/ip", spoof, env("127.0.0.1"))).text(), "9.9.9.9");
  assertEquals(await (await app.request("/ip", spoof)).text(), "", "no peer known");
});

Deno.test("scheme and host come from a trusted peer's last X-Forwarded-Proto/Host, else the request's own", () => {
  const url = new URL("http://gateway:3000/x");
  const headers = h({
    host: "gateway:3000",
    "x-forwarded-proto": "http, https",
    "x-forwarded-host": "a, b.example",
  });
  assertEquals(resolveForwarded("10.0.0.1", url, headers, defaults), {
    ip: "10.0.0.1",
    proto: "https",
    host: "b.example",
  });
  assertEquals(resolveForwarded("198.51.100.1", url, headers, defaults), {
    ip: "198.51.100.1",
    proto: "http",
    host: "gateway:3000",
  });
  const odd = h({ host: "gateway:3000", "x-forwarded-proto": "ftp", "x-forwarded-host": " " });
  assertEquals(
    resolveForwarded("10.0.0.1", url, odd, defaults).proto,
    "http",
    "an unknown scheme is ignored",
  );
  assertEquals(
    resolveForwarded("10.0.0.1", url, odd, defaults).host,
    "gateway:3000",
    "an empty host is ignored",
  );
  assertEquals(
    resolveForwarded("", url, headers, defaults).host,
    "gateway:3000",
    "no peer known: nobody trusted",
  );
});

Deno.test("the middleware's view is resolveForwarded's, for repeat peers too (the peer memo)", async () => {
  const app = new Hono();
  app.use("*", clientIpMiddleware(defaults));
  app.get("/v", (c) => c.json(c.get("forwarded")));
  const env = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 5555 } });
  const headers = {
    "x-forwarded-for": "9.9.9.9",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "f.example",
  };
  const peers = ["198.51.100.3", "127.0.0.1", "::ffff:198.51.100.3", "2001:DB8::0:7", "10.0.0.4", "junk"];
  for (const round of [1, 2]) {
    for (const peer of peers) {
      for (const url of ["http://gw:3000/v", "https://gw.example/v"]) {
        const got = await (await app.request(url, { headers }, env(peer))).json();
        const want = resolveForwarded(
          peer,
          new URL(url),
          new Headers({ ...headers, host: new URL(url).host }),
          defaults,
        );
        assertEquals(got, want, `round ${round}, peer ${peer}, ${url}`);
      }
    }
  }
});
