import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "../support/assert.ts";
import { bareKey, generateTokenKey, hashTokenKey, maskTokenKey } from "../../crypto/token_key.ts";
import { decryptChannelKey, encryptChannelKey } from "../../crypto/channel_key.ts";
import { hashPassword, verifyPassword } from "../../crypto/password.ts";

const secret = "c".repeat(32);

Deno.test("token keys are 48 CSPRNG alphanumerics and never repeat", () => {
  const keys = new Set(Array.from({ length: 1000 }, generateTokenKey));
  assertEquals(keys.size, 1000);
  for (const k of keys) assertMatch(k, /^[A-Za-z0-9]{48}$/);
});

Deno.test("token hashes are keyed: same key and secret agree, another secret differs", () => {
  const key = generateTokenKey();
  assertEquals(hashTokenKey(secret, key), hashTokenKey(secret, key));
  assertNotEquals(hashTokenKey(secret, key), hashTokenKey("d".repeat(32), key));
  assert(!hashTokenKey(secret, key).includes(key));
  assertMatch(hashTokenKey(secret, key), /^h1:[A-Za-z0-9_-]{43}$/);
});

Deno.test("presented keys are normalised: Bearer, sk- prefix and spaces", () => {
  assertEquals(bareKey("Bearer sk-abc"), "abc");
  assertEquals(bareKey("  sk-abc "), "abc");
  assertEquals(bareKey("abc"), "abc");
  assertEquals(maskTokenKey("abcdefghijklmnop"), "sk-abcd**********mnop");
});

Deno.test("channel keys round-trip through AES-GCM and tampering is detected", () => {
  const stored = encryptChannelKey(secret, "sk-upstream-CANARY\nsecond-key");
  assert(stored.startsWith("enc:v1:"));
  assert(!stored.includes("CANARY"));
  assertNotEquals(encryptChannelKey(secret, "x"), encryptChannelKey(secret, "x"), "random nonce per write");
  assertEquals(decryptChannelKey(secret, stored), "sk-upstream-CANARY\nsecond-key");
  const raw = atob(stored.slice(7));
  const flipped = raw.slice(0, 20) + String.fromCharCode(raw.charCodeAt(20) ^ 1) + raw.slice(21);
  assertThrows(() => decryptChannelKey(secret, "enc:v1:" + btoa(flipped)));
  assertThrows(() => decryptChannelKey("e".repeat(32), stored), Error);
});

Deno.test("bcrypt hashes from other implementations verify (OpenBSD test vector)", async () => {
  assert(await verifyPassword("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  assert(!await verifyPassword("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  const h = await hashPassword("correct horse");
  assertMatch(h, /^\$2[aby]\$10\$/);
  assert(await verifyPassword("correct horse", h));
  assert(!await verifyPassword("anything", ""), "an empty hash never verifies");
});
