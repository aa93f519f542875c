/**
 * The Telegram widget check against a hash computed independently (tests/support/telegram_widget.ts):
 * a good answer passes, a changed field, another bot's token, a stale or future `auth_date` and a
 * repeated field fail; a spent answer cannot be spent again.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { claimTelegramAnswer, verifyTelegramAnswer } from "../../auth/telegram.ts";
import { signTelegram, TEST_BOT_TOKEN } from "../support/telegram_widget.ts";

const BOT = TEST_BOT_TOKEN;

const now = 1_800_000_000;
const fields = { id: "4242", first_name: "Tele", username: "tele_user", auth_date: String(now - 10) };

Deno.test("a widget answer signed with the bot token passes, with its fields", async () => {
  const answer = verifyTelegramAnswer(await signTelegram(fields), BOT, now);
  assertEquals([answer?.id, answer?.username, answer?.firstName, answer?.expiresAt], [
    "4242",
    "tele_user",
    "Tele",
    now - 10 + 300,
  ]);
});

Deno.test("a changed field, another bot's token, a bad hash and a repeated field fail", async () => {
  const signed = await signTelegram(fields);
  const changed = new URLSearchParams(signed);
  changed.set("id", "4243");
  assertEquals(verifyTelegramAnswer(changed, BOT, now), undefined);
  assertEquals(verifyTelegramAnswer(signed, "654321:other-bot", now), undefined);
  assertEquals(verifyTelegramAnswer(await signTelegram(fields, "654321:other-bot"), BOT, now), undefined);
  const repeated = new URLSearchParams(signed);
  repeated.append("id", "4242");
  assertEquals(verifyTelegramAnswer(repeated, BOT, now), undefined);
  const noHash = new URLSearchParams(signed);
  noHash.delete("hash");
  assertEquals(verifyTelegramAnswer(noHash, BOT, now), undefined);
  assertEquals(verifyTelegramAnswer(signed, "", now), undefined, "no bot token configured: nothing passes");
});

Deno.test("auth_date: at most 5 minutes old, at most 2 minutes ahead", async () => {
  const at = async (authDate: number) =>
    verifyTelegramAnswer(await signTelegram({ ...fields, auth_date: String(authDate) }), BOT, now);
  assert(await at(now - 300), "exactly 5 minutes old passes");
  assertEquals(await at(now - 301), undefined);
  assert(await at(now + 120), "2 minutes ahead passes");
  assertEquals(await at(now + 121), undefined);
});

Deno.test("an answer is spent once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const answer = verifyTelegramAnswer(await signTelegram(fields), BOT, now)!;
    assertEquals(await claimTelegramAnswer(kv, answer, now), true);
    assertEquals(await claimTelegramAnswer(kv, answer, now), false);
  } finally {
    kv.close();
  }
});
