/** The per-account sign-in lock's steps, as pure data, and its KV record's lifetime. */
import { assertEquals } from "../../support/assert.ts";
import {
  beginAttempt,
  clearLoginAttempts,
  lockDurationMs,
  type LockoutState,
  takeLoginAttempt,
} from "../../../kv/limits/login_lockout.ts";
import { sharedKeysTest } from "../../support/redis.ts";

const policy = { threshold: 3, seconds: 60, maxSeconds: 900 };

Deno.test("locks double from the base up to the maximum", () => {
  assertEquals([1, 2, 3, 4, 5, 6, 40].map((n) => lockDurationMs(policy, n) / 1000), [
    60,
    120,
    240,
    480,
    900,
    900,
    900,
  ]);
});

Deno.test("the threshold-th attempt runs and locks the ones after it; refused attempts change nothing", () => {
  let state: LockoutState | undefined;
  const oks: boolean[] = [];
  for (let i = 0; i < 3; i++) {
    const step = beginAttempt(state, 1000, policy);
    state = step.state;
    oks.push(step.answer.ok);
  }
  assertEquals(oks, [true, true, true]);
  assertEquals(state, { attempts: 0, lockouts: 1, lockedUntil: 61_000 });
  const refused = beginAttempt(state, 31_000, policy);
  assertEquals(refused.answer, { ok: false, retryAfterMs: 30_000 });
  assertEquals(refused.state, state);
  // After the lock: three more attempts lock for twice as long.
  for (let i = 0; i < 3; i++) state = beginAttempt(state, 61_000, policy).state;
  assertEquals(state, { attempts: 0, lockouts: 2, lockedUntil: 181_000 });
});

sharedKeysTest(
  "the stored record answers by name, any case, and clearing it starts over",
  async (kv, shared) => {
    for (let i = 0; i < 3; i++) assertEquals((await takeLoginAttempt(kv, "Alice", policy)).ok, true);
    assertEquals((await takeLoginAttempt(kv, "alice", policy)).ok, false);
    assertEquals((await takeLoginAttempt(kv, "bob", policy)).ok, true);
    await clearLoginAttempts(kv, "ALICE", policy);
    assertEquals((await takeLoginAttempt(kv, "alice", policy)).ok, true);
    assertEquals(await shared.get(["limits", "login", "alice"]), {
      attempts: 1,
      lockouts: 0,
      lockedUntil: 0,
    });
  },
);
