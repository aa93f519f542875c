/** Local token counting: the real tokenizer, New API's chat overheads, and the bounded stream meter. */
import { assert, assertEquals } from "../../support/assert.ts";
import {
  CHAT_OVERHEAD,
  estimatePromptTokens,
  estimateTokensFromBytes,
  MEDIA_TOKENS,
  tokenCounter,
} from "../../../relay/billing/estimate.ts";
import { StreamMeter, TOKENS_PER_TOOL_CALL } from "../../../relay/billing/stream_meter.ts";

Deno.test("counts with a real BPE tokenizer (o200k_base)", async () => {
  const count = await tokenCounter();
  assertEquals(count("Hello world"), 2);
  assertEquals(count(""), 0);
  assert(count("<|endoftext|>") > 1, "special-token text is counted as text, not rejected");
});

Deno.test("chat estimate adds 3 per message, 3 per name, 8 per tool, 3 for the reply and flat media counts", async () => {
  const count = await tokenCounter();
  const n = estimatePromptTokens(count, {
    system: "Be brief.",
    messages: [{ role: "user", text: "Hello world", name: "bob", images: 1 }],
    tools: ['{"name":"f"}'],
  });
  const expected = CHAT_OVERHEAD.reply + CHAT_OVERHEAD.perMessage + count("Be brief.") +
    CHAT_OVERHEAD.perMessage + count("Hello world") + CHAT_OVERHEAD.perName + count("bob") +
    MEDIA_TOKENS.image +
    CHAT_OVERHEAD.perTool + count('{"name":"f"}');
  assertEquals(n, expected);
});

Deno.test("the stream meter counts delivered text exactly as tokenizing it whole, chunk by chunk", async () => {
  const count = await tokenCounter();
  const text = "The quick brown fox, 1234 jumps!\n\nOver the lazy dog — 你好世界. ".repeat(50);
  const meter = new StreamMeter(count);
  assertEquals(meter.delivered, false);
  for (let i = 0; i < text.length; i += 7) meter.add(text.slice(i, i + 7));
  assertEquals(meter.tokens, count(text));
  assert(meter.delivered);
  meter.addToolCall();
  assertEquals(meter.tokens, count(text) + TOKENS_PER_TOOL_CALL);
});

Deno.test("long text without spaces is counted in bounded time (BPE is quadratic per pre-token)", async () => {
  const count = await tokenCounter();
  const started = performance.now();
  const whole = count("x".repeat(100_000));
  const meter = new StreamMeter(count);
  for (let i = 0; i < 1000; i++) meter.add("x".repeat(100));
  meter.add("y".repeat(50_000));
  assert(performance.now() - started < 3000, `took ${performance.now() - started} ms`);
  assert(whole > 10_000 && whole < 30_000, `${whole}`);
  assert(Math.abs(meter.tokens - whole - count("y".repeat(50_000))) < 200, `${meter.tokens} vs ${whole}`);
});

Deno.test("the hold's estimate is a quarter of the UTF-8 bytes, for ASCII and for any other text", () => {
  const bytes = (t: string) => new TextEncoder().encode(t).length;
  for (
    const text of [
      "",
      "abc",
      "hello world, ".repeat(40),
      "été",
      "请用三句话总结",
      "Привет",
      "🙂 ok 🙂",
      "\ud800x",
    ]
  ) {
    assertEquals(estimateTokensFromBytes(text), Math.ceil(bytes(text) / 4), JSON.stringify(text));
  }
});
