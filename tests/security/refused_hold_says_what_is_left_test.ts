/**
 * A hold the wallet or the token cannot cover is refused with a 403 in OpenAI's error shape whose message
 * says what the request needs and what the user (or the token) has left, and nothing is taken.
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, userQuota } from "../support/relay.ts";
import { asInt, queryOne } from "../../store/db.ts";

const body = {
  model: "test-model",
  max_tokens: 1_000,
  messages: [{ role: "user", content: "hello there" }],
};

appTest("a hold the wallet cannot cover says what it needs and what the user has left", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url)],
    userQuota: 300,
    options: { PreConsumedQuota: "500" },
  });
  const res = await chat(h, s.key, body);
  assertEquals(res.status, 403);
  const { error } = await res.json();
  assertEquals(Object.keys(error).sort(), ["code", "message", "param", "type"]);
  assertEquals([error.code, error.type, error.param], ["insufficient_user_quota", "permission_error", null]);
  const m = /needs (\d+) quota and the user has 300 left/.exec(error.message);
  assert(m, error.message);
  // The prompt estimate of "hello there" + max_tokens × 2; a capped request has no PreConsumedQuota floor.
  const prompt = Number(m[1]) - 2 * 1_000;
  assert(prompt > 0 && prompt < 50, `prompt part ${prompt}`);
  assertEquals(fake.requests.length, 0);
  assertEquals(await userQuota(h, s.userId), 300, "nothing was taken");
  assertEquals(await heldCount(h), 0);
});

appTest("a hold the token cannot cover says what it needs and what the token has left", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url)],
    userQuota: 1_000_000,
    token: { unlimitedQuota: false, remainQuota: 700 },
    options: { PreConsumedQuota: "500" },
  });
  const res = await chat(h, s.key, body);
  assertEquals(res.status, 403);
  const { error } = await res.json();
  assertEquals([error.code, error.type], ["pre_consume_token_quota_failed", "permission_error"]);
  const m = /needs (\d+) quota and the token has 700 left/.exec(error.message);
  assert(m, error.message);
  const prompt = Number(m[1]) - 2 * 1_000;
  assert(prompt > 0 && prompt < 50, `prompt part ${prompt}`);
  const token = await queryOne(h.deps.db, "SELECT remain_quota FROM tokens WHERE id = ?", [s.tokenId]);
  assertEquals(asInt(token!.remain_quota), 700, "nothing was taken");
  assertEquals(await userQuota(h, s.userId), 1_000_000);
});
