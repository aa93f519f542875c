import { assert, assertEquals } from "../../support/assert.ts";
import { selectChannel } from "../../../relay/routing/select_channel.ts";

const ch = (id: number, weight: number) => ({ id, weight });

/** A seeded PRNG (mulberry32) so the statistical assertions are deterministic. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("weighted selection within a tier is within 5% of the weights over 10,000 picks", () => {
  const tier = [ch(1, 10), ch(2, 30), ch(3, 60)];
  const counts = new Map<number, number>();
  const random = seeded(42);
  for (let i = 0; i < 10_000; i++) {
    const c = selectChannel([tier], new Set(), random)!;
    counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
  }
  for (const c of tier) {
    const share = (counts.get(c.id) ?? 0) / 10_000;
    const expected = c.weight / 100;
    assert(Math.abs(share - expected) <= 0.05 * expected, `channel ${c.id}: ${share} vs ${expected}`);
  }
});

Deno.test("small and zero weights: zeros are equal, small weights keep their proportions", () => {
  const counts = [0, 0];
  for (let i = 0; i < 10_000; i++) counts[selectChannel([[ch(0, 0), ch(1, 0)]])!.id]++;
  assert(Math.abs(counts[0] - 5000) < 400, `uniform: ${counts}`);
  const small = [0, 0];
  for (let i = 0; i < 10_000; i++) small[selectChannel([[ch(0, 1), ch(1, 3)]])!.id]++;
  assert(Math.abs(small[0] / 10_000 - 0.25) < 0.02, `1:3 weights: ${small}`);
});

Deno.test("a lower tier is used only when the higher one is exhausted by retries", () => {
  const tiers = [[ch(1, 1), ch(2, 1)], [ch(3, 1)]];
  for (let i = 0; i < 1000; i++) assert(selectChannel(tiers)!.id !== 3);
  const tried = new Set<number>();
  const order: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const c = selectChannel(tiers, tried);
    if (!c) break;
    order.push(c.id);
    tried.add(c.id);
  }
  assertEquals(order.length, 3, "every channel tried once, none twice");
  assertEquals(new Set(order.slice(0, 2)), new Set([1, 2]));
  assertEquals(order[2], 3);
  assertEquals(selectChannel(tiers, tried), undefined);
});
