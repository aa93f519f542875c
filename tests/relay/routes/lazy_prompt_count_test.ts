/**
 * The prompt's exact token count is made only where billing needs it: a request whose upstream reports
 * usage never calls the tokenizer (the hold uses an estimate from the prompt's bytes), and a request whose
 * upstream reports none is billed the tokenizer's exact count, not the estimate. The calls are counted
 * through billing's tokenizer seam around the real counter.
 */
import { type AppHarness, appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { CHAT_OVERHEAD, tokenCounter } from "../../../relay/billing/estimate.ts";
import { asInt } from "../../../store/db.ts";

async function countingTokenizer(
  h: AppHarness,
): Promise<{ calls: () => number; count: (t: string) => number }> {
  const real = await tokenCounter();
  let calls = 0;
  const counted = (text: string) => {
    calls++;
    return real(text);
  };
  h.deps.billing.tokenizer = () => Promise.resolve(counted);
  return { calls: () => calls, count: real };
}

/** Words the tokenizer counts far below their bytes / 4, so the estimate and the exact count differ. */
const PROMPT = "Please tell me about the weather in the south of France in spring, briefly. ".repeat(6);

appTest("a request whose upstream reports usage never calls the tokenizer", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const tokenizer = await countingTokenizer(h);
  const messages = [{ role: "user", content: PROMPT }];

  const plain = await chat(h, s.key, { model: "test-model", messages });
  assertEquals(plain.status, 200);
  assert((await plain.json()).usage.prompt_tokens > 0);
  // A stream's running cost is checked against its hold as it goes; with an output cap the hold covers the
  // meter's cheap upper bound, so no exact count is needed either (without one, the exact count of the
  // delivered completion runs once per 256 characters past the hold: session.coverDelivered).
  const stream = await chat(h, s.key, { model: "test-model", messages, stream: true, max_tokens: 4000 });
  assertEquals(stream.status, 200);
  await stream.text();
  await settled(h);
  assertEquals(tokenizer.calls(), 0, "no tokenizer call for requests the upstream reported usage for");
  const rows = await h.deps.db.query("SELECT prompt_tokens FROM logs WHERE type = 2 ORDER BY id");
  assertEquals(rows.length, 2);
});

appTest(
  "a request whose upstream reports no usage is billed the tokenizer's exact prompt count",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const tokenizer = await countingTokenizer(h);
    const content = `[fake:fault=nousage] ${PROMPT}`;
    const exact = CHAT_OVERHEAD.reply + CHAT_OVERHEAD.perMessage + tokenizer.count(content);
    const byBytes = CHAT_OVERHEAD.reply + CHAT_OVERHEAD.perMessage +
      Math.ceil(new TextEncoder().encode(content).length / 4);
    assert(exact < byBytes - 10, `the test needs a prompt the estimate overcounts: ${exact} vs ${byBytes}`);

    const res = await chat(h, s.key, { model: "test-model", messages: [{ role: "user", content }] });
    assertEquals(res.status, 200);
    const answer = await res.json();
    assertEquals(answer.usage, undefined, "the fake sent no usage");
    await settled(h);
    assert(tokenizer.calls() > 0, "the exact count went through the tokenizer");
    const rows = await h.deps.db.query(
      "SELECT quota, prompt_tokens, completion_tokens, content FROM logs WHERE type = 2",
    );
    assertEquals(rows.length, 1);
    const row = rows[0];
    assertEquals(asInt(row.prompt_tokens), exact);
    const completion = tokenizer.count(answer.choices[0].message.content);
    assertEquals(asInt(row.completion_tokens), completion);
    assertEquals(asInt(row.quota), exact + 2 * completion);
    assert(String(row.content).includes("usage estimated locally"));
  },
);
