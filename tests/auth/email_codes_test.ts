/**
 * The email code store on both homes of `updateKey` (a KV file, Redis): one use, one purpose, guesses
 * counted across instances, expiry, no plain code or address stored.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { sharedKeysTest } from "../support/redis.ts";
import { emailCodeStore, MAX_CODE_ATTEMPTS, randomHex } from "../../auth/email_codes.ts";

const secret = "email-code-test-secret-0123456789";

sharedKeysTest(
  "a code works once, for its purpose, and wrong guesses on any instance count",
  async (kv, shared) => {
    const first = emailCodeStore(kv, secret);
    const second = emailCodeStore(await shared.open(), secret);
    await first.issue("v", "Ann@Example.com", "c0ffee");
    assertEquals(await second.consume("r", "ann@example.com", "c0ffee"), false, "another purpose");
    if (shared.kind === "kv") {
      const stored = JSON.stringify(await Array.fromAsync(kv.list({ prefix: ["verification"] })));
      assert(stored.includes('"v"') && !stored.includes("c0ffee") && !/ann/i.test(stored), stored);
    }
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) {
      assertEquals(await (i % 2 ? first : second).consume("v", "ann@example.com", "badbad"), false);
    }
    assertEquals(
      await second.consume("v", " ann@example.com", "c0ffee"),
      true,
      "four guesses leave it alive",
    );
    assertEquals(await first.consume("v", "ann@example.com", "c0ffee"), false, "spent");

    await first.issue("v", "ann@example.com", "123456");
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await second.consume("v", "ann@example.com", "654321");
    assertEquals(await first.consume("v", "ann@example.com", "123456"), false, "dropped after the limit");
  },
);

sharedKeysTest("a code expires, and a new one replaces the old", async (kv) => {
  const codes = emailCodeStore(kv, secret, 60);
  await codes.issue("r", "bo@example.com", "old-token");
  await codes.issue("r", "bo@example.com", "new-token");
  assertEquals(await codes.consume("r", "bo@example.com", "old-token"), false);
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(await codes.consume("r", "bo@example.com", "new-token"), false, "expired");
});

Deno.test("random codes are hex of the asked length", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add(randomHex(6));
  assert([...seen].every((c) => /^[0-9a-f]{6}$/.test(c)));
  assert(seen.size > 45);
  assertEquals(randomHex(32).length, 32);
});
