/** Password and username rules, sign-in checks, and who may manage whom. */
import { assert, assertEquals, assertThrows } from "../support/assert.ts";
import { checkPassword, checkUsername, verifySignIn } from "../../auth/credentials.ts";
import { canManageRole } from "../../auth/roles.ts";
import { hashPassword } from "../../crypto/password.ts";
import { ApiError } from "../../routes/api/errors.ts";

Deno.test("passwords: at least 8 characters, at most 72 bytes (refused, never truncated)", () => {
  checkPassword("12345678");
  checkPassword("x".repeat(72));
  checkPassword("é".repeat(36)); // 72 bytes
  assertThrows(() => checkPassword("1234567"), ApiError, "at least 8");
  assertThrows(() => checkPassword("x".repeat(73)), ApiError, "72 bytes");
  assertThrows(() => checkPassword("é".repeat(37)), ApiError, "72 bytes");
});

Deno.test("usernames: trimmed, non-empty, bounded, no spaces or control characters", () => {
  assertEquals(checkUsername("  alice "), "alice");
  assertEquals(checkUsername("x".repeat(20)), "x".repeat(20));
  assertThrows(() => checkUsername("x".repeat(21)), ApiError, "at most 20");
  assertThrows(() => checkUsername("x".repeat(13), 12), ApiError, "at most 12");
  assertThrows(() => checkUsername("   "), ApiError, "cannot be empty");
  assertThrows(() => checkUsername("a b"), ApiError, "spaces");
  assertThrows(() => checkUsername("a\u0000b"), ApiError, "control");
});

Deno.test("sign-in: right password passes, wrong password and unknown user fail alike", async () => {
  const hash = await hashPassword("correct horse");
  assert(await verifySignIn("correct horse", hash));
  assert(!(await verifySignIn("wrong horse!", hash)));
  assert(!(await verifySignIn("correct horse", undefined)), "no user: the dummy hash never matches");
  assert(!(await verifySignIn("correct horse", "")), "an empty stored password never matches");
  // New API (Go's x/crypto/bcrypt) writes `$2a$` hashes; the classic crypt_blowfish vector verifies.
  assert(await verifySignIn("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  assert(!(await verifySignIn("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")));
});

Deno.test("only root acts on equals; everyone else only on strictly lower roles", () => {
  assertEquals(canManageRole(100, 100), true);
  assertEquals(canManageRole(100, 10), true);
  assertEquals(canManageRole(10, 100), false);
  assertEquals(canManageRole(10, 10), false);
  assertEquals(canManageRole(10, 1), true);
  assertEquals(canManageRole(1, 1), false);
});
