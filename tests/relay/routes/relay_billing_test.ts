/**
 * Exact billing through the relay, on both stores: with 1 prompt token = 1 quota and 1 completion token = 2,
 * an answer with P=100 and C=50 costs exactly 200, stream and non-stream (the stream's usage comes from the
 * `include_usage` the gateway forced upstream); and 100 concurrent requests against a balance worth 10
 * reservations let at most 10 reach the upstream, the rest refused with nothing spent.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { setUserQuota } from "../../../store/users.ts";
import { startWebhookReceiver } from "../../support/webhook_receiver.ts";

/** The fake counts a prompt as ceil(bytes/4) of "user <content>": 395 characters make P=100. */
function promptOf100(directives: string): string {
  const head = `${directives} `;
  return head + "a".repeat(395 - head.length);
}

appTest("P=100, C=50 is charged exactly 200 through the relay, stream and non-stream", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], userQuota: 100_000 });
  const messages = [{ role: "user", content: promptOf100("[fake:chunks=50]") }];
  const plain = await chat(h, s.key, { model: "test-model", messages });
  const usage = (await plain.json()).usage;
  assertEquals([usage.prompt_tokens, usage.completion_tokens], [100, 50]);
  await settled(h);
  assertEquals(await userQuota(h, s.userId), 100_000 - 200);

  const stream = await chat(h, s.key, { model: "test-model", messages, stream: true });
  const text = await stream.text();
  assert(!text.includes('"usage":{'), "the client did not ask for usage");
  await settled(h);
  assertEquals(await userQuota(h, s.userId), 100_000 - 400);
  const rows = await h.deps.db.query(
    "SELECT quota, prompt_tokens, completion_tokens, is_stream FROM logs WHERE type = 2 ORDER BY id",
  );
  assertEquals(rows.map((r) => [asInt(r.quota), asInt(r.prompt_tokens), asInt(r.completion_tokens)]), [
    [200, 100, 50],
    [200, 100, 50],
  ]);
  const token = await queryOne(h.deps.db, "SELECT used_quota FROM tokens WHERE id = ?", [s.tokenId]);
  assertEquals(asInt(token!.used_quota), 400);
});

appTest(
  "100 concurrent requests against a balance worth 10 reach the upstream at most 10 times",
  async (h) => {
    await using fake = await startFakeUpstream({ latencyMs: 300 });
    // Below 100 × the hold: requests pre-charge (New API's rule skips the hold above it).
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], userQuota: 10_000 });
    const body = {
      model: "test-model",
      max_tokens: 50,
      messages: [{ role: "user", content: promptOf100("[fake:chunks=50]") }],
    };
    // One request to learn the hold of this exact request.
    assertEquals((await chat(h, s.key, body)).status, 200);
    await settled(h);
    const hold = asInt((await queryOne(h.deps.db, "SELECT amount FROM quota_reservations"))!.amount);
    assert(hold > 100, `hold ${hold}`);
    fake.reset();
    const start = 10 * hold;
    await setUserQuota(h.deps.db, s.userId, start);
    await h.deps.cache.publish({ kind: "user", id: s.userId });
    const results = await Promise.all(Array.from({ length: 100 }, () => chat(h, s.key, body)));
    const statuses = await Promise.all(
      results.map(async (r) => ({ status: r.status, body: await r.json() })),
    );
    const ok = statuses.filter((r) => r.status === 200).length;
    const refused = statuses.filter((r) => r.status === 403);
    assert(ok >= 1 && ok <= 10, `${ok} succeeded`);
    assertEquals(ok + refused.length, 100);
    assert(refused.every((r) => r.body.error.code === "insufficient_user_quota"));
    assertEquals(fake.requests.length, ok);
    await settled(h);
    assertEquals(await heldCount(h), 0);
    const left = await userQuota(h, s.userId);
    // Each answer is charged in full even past its hold (the estimate undercounts the prompt a little):
    // the balance may go below 0 by at most what the admitted requests overran (the overdraft rule).
    const overran = asInt(
      (await queryOne(
        h.deps.db,
        "SELECT COALESCE(SUM(CASE WHEN settled_quota > amount THEN settled_quota - amount ELSE 0 END), 0) AS o FROM quota_reservations",
      ))!.o,
    );
    assert(left >= -overran, `balance ${left}, overran ${overran}`);
    const spent = asInt(
      (await queryOne(h.deps.db, "SELECT COALESCE(SUM(quota),0) AS q FROM logs WHERE type = 2"))!.q,
    );
    const first = 200;
    assertEquals(start - left, spent - first, "balance moved by exactly what was logged");
  },
);

appTest("a charge that leaves the user below their warning threshold sends the quota notice", async (h) => {
  await using fake = await startFakeUpstream();
  await using receiver = startWebhookReceiver();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url)],
    userQuota: 5_000,
    options: { ...receiver.options, ServerAddress: "https://gw.example" },
  });
  const setting = JSON.stringify({
    notify_type: "webhook",
    webhook_url: receiver.url,
    quota_warning_threshold: 4_900,
  });
  await h.deps.db.exec("UPDATE users SET setting = ? WHERE id = ?", [setting, s.userId]);
  await h.deps.cache.publish({ kind: "user", id: s.userId });
  const messages = [{ role: "user", content: promptOf100("[fake:chunks=50]") }];
  assertEquals((await chat(h, s.key, { model: "test-model", messages })).status, 200);
  await receiver.waitFor(1);
  assertEquals(receiver.hooks[0].type, "quota_exceed");
  assert(String(receiver.hooks[0].content).includes("https://gw.example/console/topup"));
  assert(String(receiver.hooks[0].content).includes("$0.01"), String(receiver.hooks[0].content));
});
