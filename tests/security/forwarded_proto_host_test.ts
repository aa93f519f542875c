/**
 * Issue 14 (smaller item): `X-Forwarded-Proto` and `X-Forwarded-Host` are believed only from a peer in
 * `TRUSTED_PROXIES`, like `X-Forwarded-For`. An untrusted peer cannot mark its cookie Secure-or-not,
 * pass the same-origin check for a foreign Origin, or change the base URL the landing page shows.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { setupRoot } from "../support/console_client.ts";

const peer = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 40000 } });

function signIn(h: AppHarness, from: string, headers: Record<string, string>) {
  return Promise.resolve(h.app.request("http://gateway.internal:3000/api/user/login", {
    method: "POST",
    headers: { "content-type": "application/json", host: "gateway.internal:3000", ...headers },
    body: JSON.stringify({ username: "root", password: "root-password-1" }),
  }, peer(from)));
}

function sessionLine(res: Response): string {
  return res.headers.getSetCookie().find((l) => l.startsWith("session=")) ?? "";
}

async function landingBase(h: AppHarness, from: string, headers: Record<string, string>): Promise<string> {
  const res = await h.app.request("http://gateway.internal:3000/", {
    headers: { host: "gateway.internal:3000", ...headers },
  }, peer(from));
  const html = await res.text();
  return html.match(/curl (\S+)\/chat\/completions/)?.[1] ?? html.slice(0, 200);
}

appTest("an untrusted peer's X-Forwarded-Proto and X-Forwarded-Host are ignored", async (h) => {
  await setupRoot(h);
  // The default trusts nobody, not even loopback.
  const plain = await signIn(h, "127.0.0.1", { "x-forwarded-proto": "https" });
  assertEquals(plain.status, 200);
  assert(!sessionLine(plain).includes("Secure"), sessionLine(plain));
  // A foreign Origin does not become same-origin by naming itself in X-Forwarded-Host.
  const forged = await signIn(h, "198.51.100.1", {
    origin: "https://evil.example",
    "x-forwarded-host": "evil.example",
  });
  assertEquals(forged.status, 403, await forged.text());
  assertEquals(
    await landingBase(h, "198.51.100.1", {
      "x-forwarded-proto": "https",
      "x-forwarded-host": "evil.example",
    }),
    "http://gateway.internal:3000/v1",
  );
});

appTest("a trusted proxy's X-Forwarded-Proto and X-Forwarded-Host are the request's", async (h) => {
  await setupRoot(h);
  const viaProxy = await signIn(h, "10.0.0.2", {
    origin: "https://api.example.com",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "api.example.com",
  });
  assertEquals(viaProxy.status, 200, await viaProxy.clone().text());
  assertStringIncludes(sessionLine(viaProxy), "Secure");
  // The proxy appends what it saw; a value the client put before it is not read.
  const appended = await signIn(h, "10.0.0.2", { "x-forwarded-proto": "https, http" });
  assert(!sessionLine(appended).includes("Secure"), sessionLine(appended));
  const foreign = await signIn(h, "10.0.0.2", {
    origin: "https://evil.example",
    "x-forwarded-host": "evil.example, api.example.com",
  });
  assertEquals(foreign.status, 403);
  assertEquals(
    await landingBase(h, "10.0.0.2", { "x-forwarded-proto": "https", "x-forwarded-host": "api.example.com" }),
    "https://api.example.com/v1",
  );
  // The same headers from outside TRUSTED_PROXIES change nothing.
  assertEquals(
    await landingBase(h, "198.51.100.1", {
      "x-forwarded-proto": "https",
      "x-forwarded-host": "api.example.com",
    }),
    "http://gateway.internal:3000/v1",
  );
}, { TRUSTED_PROXIES: "private" });
