/**
 * Writes `relay/billing/o200k_base_ranks.json`: gpt-tokenizer's o200k_base rank table (index = token rank,
 * value = its text, or its bytes when not valid UTF-8) as JSON. The relay loads the encoder from this file
 * rather than from the package's 4 MB JS module, whose parse leaves ~27 MB more resident (see estimate.ts).
 * Run it after upgrading gpt-tokenizer; `tests/relay/billing/o200k_ranks_test.ts` fails until then.
 */
import bpe from "gpt-tokenizer/bpeRanks/o200k_base";

const out = new URL("../relay/billing/o200k_base_ranks.json", import.meta.url);
await Deno.writeTextFile(out, JSON.stringify(bpe) + "\n");
console.log(`wrote ${bpe.length} ranks to ${out.pathname}`);
