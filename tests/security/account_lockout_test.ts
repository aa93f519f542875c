/**
 * Issue 14, item 2: per-account password sign-in throttling beside the per-IP limit. Rotating IPs does
 * not help: after LOGIN_LOCKOUT_THRESHOLD failures the account's password sign-in answers 429 (even to
 * the right password) until the lock ends; locks double up to LOGIN_LOCKOUT_MAX_SECONDS; a successful
 * sign-in resets the count; unknown usernames are treated the same, so the lock reveals nothing.
 * Short locks (1 s, at most 2 s) stand in for minutes.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { login, setupRoot } from "../support/console_client.ts";

const lockout = { LOGIN_LOCKOUT_THRESHOLD: "5", LOGIN_LOCKOUT_SECONDS: "1", LOGIN_LOCKOUT_MAX_SECONDS: "2" };
const RIGHT = "root-password-1";
let nextIp = 0;

/** One sign-in from a fresh address each time (the per-IP limit never sees the same client twice). */
async function signIn(h: AppHarness, username: string, password: string) {
  const n = nextIp++;
  const hostname = `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  const res = await h.app.request("/api/user/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  }, { remoteAddr: { transport: "tcp", hostname, port: 40000 } });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

async function statuses(h: AppHarness, username: string, password: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await signIn(h, username, password)).status);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

appTest(
  "25 wrong passwords from rotating IPs lock the account after 5; the right one waits for the lock to end",
  async (h) => {
    await setupRoot(h);
    const codes = await statuses(h, "root", "wrong-password", 25);
    assertEquals(codes, [...Array(5).fill(401), ...Array(20).fill(429)], codes.join(","));
    const during = await signIn(h, "root", RIGHT);
    assertEquals(during.status, 429, "the right password is refused during the lock");
    assertEquals(during.body.success, false);
    assertStringIncludes(during.body.message, "Retry in 1 seconds");
    assertEquals(during.retryAfter, "1");
    await sleep(1100);
    const after = await signIn(h, "root", RIGHT);
    assertEquals(after.status, 200, JSON.stringify(after.body));
    assertEquals(after.body.data.username, "root");
  },
  lockout,
);

appTest("a successful sign-in resets the count; each further lock doubles up to the maximum", async (h) => {
  await setupRoot(h);
  assertEquals(await statuses(h, "root", "wrong-password", 4), [401, 401, 401, 401]);
  assertEquals((await signIn(h, "root", RIGHT)).status, 200);
  assertEquals(await statuses(h, "root", "wrong-password", 6), [401, 401, 401, 401, 401, 429]);
  await sleep(1100);
  // Second lock: 2 s (the maximum here); failures refused during a lock do not extend it.
  assertEquals(await statuses(h, "root", "wrong-password", 6), [401, 401, 401, 401, 401, 429]);
  const second = await signIn(h, "root", RIGHT);
  assertEquals(second.retryAfter, "2");
  await sleep(500);
  assertEquals((await signIn(h, "root", RIGHT)).status, 429, "still inside the 2 s lock");
  await sleep(1600);
  assertEquals((await signIn(h, "root", RIGHT)).status, 200);
}, lockout);

appTest(
  "unknown usernames are locked the same way, so the lock does not tell which accounts exist",
  async (h) => {
    await setupRoot(h);
    const known = await statuses(h, "root", "wrong-password", 6);
    const unknown = await statuses(h, "no-such-user", "wrong-password", 6);
    assertEquals(unknown, known);
    const a = await signIn(h, "root", "wrong-password");
    const b = await signIn(h, "no-such-user", "wrong-password");
    assertEquals([a.status, a.retryAfter, a.body], [b.status, b.retryAfter, b.body]);
    // The lock follows the name whatever its case.
    assertEquals((await signIn(h, "ROOT", RIGHT)).status, 429);
    // Another account is unaffected.
    assert((await signIn(h, "someone-else", "wrong-password")).status === 401);
  },
  lockout,
);

appTest("parallel guesses cannot all pass the check before the first failure lands", async (h) => {
  await setupRoot(h);
  const answers = await Promise.all(Array.from({ length: 20 }, () => signIn(h, "root", "wrong-password")));
  const codes = answers.map((a) => a.status).sort();
  assertEquals(codes, [...Array(5).fill(401), ...Array(15).fill(429)], codes.join(","));
}, lockout);

appTest("LOGIN_LOCKOUT_THRESHOLD=0 turns the lock off", async (h) => {
  await setupRoot(h);
  assertEquals(await statuses(h, "root", "wrong-password", 7), Array(7).fill(401));
  assertEquals((await signIn(h, "root", RIGHT)).status, 200);
}, { LOGIN_LOCKOUT_THRESHOLD: "0" });

appTest(
  "the original password of a password change counts against the same lock as sign-in",
  async (h) => {
    await setupRoot(h);
    const root = await login(h, "root", RIGHT);
    const change = (original: string) =>
      root.call("PUT", "/api/user/self", { original_password: original, password: "new-password-123" });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await change("wrong-password")).status);
    assertEquals(codes, [400, 400, 400, 400, 400, 429, 429], codes.join(","));
    const during = await change(RIGHT);
    assertEquals(during.status, 429, "the right password is refused during the lock");
    assertEquals((await signIn(h, "root", RIGHT)).status, 429, "sign-in shares the lock");
    await sleep(1100);
    const after = await change(RIGHT);
    assertEquals([after.status, after.body.success], [200, true], after.text);
  },
  lockout,
);
