/**
 * Concurrency slots grouped by holder: one renewal per limiter and token keeps every running request's
 * slot alive, a stopped (or crashed) limiter's slots expire, slots lost from the KV come back, and slots
 * stored one per request by earlier versions still count until they expire.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { sharedKeysTest } from "../../support/redis.ts";
import { withMemoryKv } from "../../support/memory_kv.ts";
import { TokenLimiter } from "../../../kv/limits/token_limits.ts";
import { renewedIds, type TokenState } from "../../../kv/limits/token_leases.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

sharedKeysTest(
  "one renewal per token keeps all of a limiter's slots alive past the lease",
  async (kv, shared) => {
    const limiter = new TokenLimiter(kv, { leaseMs: 150 });
    const other = new TokenLimiter(kv, { leaseMs: 150 });
    const setting = { tokenId: 20, concurrency: 3 };
    const gates = await Promise.all([1, 2, 3].map(() => limiter.checkRequest(setting)));
    assert(gates.every((g) => g.ok));
    await sleep(500);
    assertEquals((await other.checkRequest(setting)).ok, false, "all three still held after 3 leases");
    const stored = (await shared.get(["limits", "token", 20])) as TokenState;
    const holders = Object.values(stored.holders ?? {});
    assertEquals(holders.length, 1, "one holder entry for the limiter");
    assertEquals(holders[0].ids.length, 3);
    await gates[0].release();
    const next = await other.checkRequest(setting);
    assert(next.ok);
    for (const g of [...gates, next]) await g.release();
    assertEquals(await shared.get(["limits", "token", 20]), null, "nothing left once all are released");
    limiter.stop();
    other.stop();
  },
);

sharedKeysTest("a stopped limiter's slots expire after the lease, on another handle", async (a, shared) => {
  const b = await shared.open();
  const setting = { tokenId: 21, concurrency: 2 };
  const stopping = new TokenLimiter(a, { leaseMs: 200 });
  assert((await Promise.all([1, 2].map(() => stopping.checkRequest(setting)))).every((g) => g.ok));
  stopping.stop();
  const survivor = new TokenLimiter(b, { leaseMs: 200 });
  assertEquals((await survivor.checkRequest(setting)).ok, false, "slots still leased");
  await sleep(350);
  const gates = await Promise.all([1, 2].map(() => survivor.checkRequest(setting)));
  assertEquals(gates.filter((g) => g.ok).length, 2, "both slots came back");
  for (const g of gates) await g.release();
  survivor.stop();
});

sharedKeysTest(
  "slots lost from the store while the holder runs come back at its next renewal",
  async (kv, shared) => {
    const limiter = new TokenLimiter(kv, { leaseMs: 150 });
    const setting = { tokenId: 22, concurrency: 1 };
    const running = await limiter.checkRequest(setting);
    assert(running.ok);
    await shared.delete(["limits", "token", 22]); // as if the lease had lapsed while the store was unreachable
    await sleep(120);
    assertEquals((await new TokenLimiter(kv).checkRequest(setting)).ok, false, "renewed from what runs");
    await running.release();
    limiter.stop();
  },
);

sharedKeysTest(
  "slots stored one per request by earlier versions count until they expire",
  async (kv, shared) => {
    await shared.set(["limits", "token", 23], { leases: { "old-lease": Date.now() + 250 } });
    const limiter = new TokenLimiter(kv);
    const setting = { tokenId: 23, concurrency: 2 };
    const first = await limiter.checkRequest(setting);
    assert(first.ok);
    assertEquals((await limiter.checkRequest(setting)).reason, "concurrency");
    await sleep(300);
    const second = await limiter.checkRequest(setting);
    assert(second.ok, "the old lease expired");
    await first.release();
    await second.release();
    limiter.stop();
  },
);

Deno.test("a renewal keeps the stored slots it still runs or is admitting, and every one it runs", () => {
  assertEquals(renewedIds([1, 2, 3], new Set([1, 4]), new Set([3])).sort(), [1, 3, 4]);
  assertEquals(renewedIds(undefined, new Set([5]), new Set()), [5]);
});

Deno.test("release charges the answer's tokens against TPM in the same KV commit, even when repeated", async () => {
  await withMemoryKv(async (kv) => {
    const limiter = new TokenLimiter(kv);
    const setting = { tokenId: 24, tpm: 1000, concurrency: 4 };
    const gate = await limiter.checkRequest(setting);
    assert(gate.ok);
    const atomic = kv.atomic.bind(kv);
    let commits = 0;
    kv.atomic = () => (commits++, atomic());
    await gate.release({ tokens: 600 });
    assertEquals(commits, 1, "slot and tokens in one commit");
    kv.atomic = atomic;
    const second = await limiter.checkRequest(setting);
    assert(second.ok, "600 of 1000 used");
    await second.release();
    await second.release({ tokens: 500 });
    const refused = await limiter.checkRequest(setting);
    assertEquals(refused.reason, "tpm", "1100 of 1000 used");
    limiter.stop();
  });
});
