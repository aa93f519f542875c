/**
 * The relay's tokenizer loads its rank table from `relay/billing/o200k_base_ranks.json` (lighter than the
 * package's JS module); it must be the package's table exactly, and count exactly as the package's entry point.
 */
import { assertEquals } from "../../support/assert.ts";
import { tokenCounter } from "../../../relay/billing/estimate.ts";

Deno.test("o200k_base_ranks.json is gpt-tokenizer's o200k_base table (rerun scripts/gen_o200k_ranks.ts)", async () => {
  const { default: bpe } = await import("gpt-tokenizer/bpeRanks/o200k_base");
  const ranks = JSON.parse(
    await Deno.readTextFile(new URL("../../../relay/billing/o200k_base_ranks.json", import.meta.url)),
  );
  assertEquals(ranks.length, bpe.length);
  assertEquals(ranks, bpe);
});

Deno.test("the relay's counter counts exactly as gpt-tokenizer's o200k_base entry point", async () => {
  const pkg = await import("gpt-tokenizer/encoding/o200k_base");
  const count = await tokenCounter();
  const samples = [
    "Hello world",
    "The quick brown fox, 1234 jumps!\n\nOver the lazy dog — 你好世界. Ünïcödé ÿ 🙂🙂 \u0000\uFFFD",
    "<|endoftext|> <|im_start|>user",
    '{"name":"get_weather","arguments":{"city":"Paris"}}\n\tfunction f(x) { return x ** 2; }',
    "а б в ґ ∑ ∫ ≠ — ٱلسَّلَامُ عَلَيْكُمْ नमस्ते こんにちは 안녕하세요",
  ];
  for (const text of samples) {
    assertEquals(count(text), pkg.countTokens(text, { disallowedSpecial: new Set() }), text);
  }
});
