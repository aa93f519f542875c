import { assert, assertEquals } from "../../support/assert.ts";
import { sharedKeysTest } from "../../support/redis.ts";
import { TokenLimiter } from "../../../kv/limits/token_limits.ts";

sharedKeysTest(
  "5 RPM admits exactly 5 of 50 concurrent requests, then answers with Retry-After",
  async (kv) => {
    const limiter = new TokenLimiter(kv);
    const gates = await Promise.all(
      Array.from({ length: 50 }, () => limiter.checkRequest({ tokenId: 1, rpm: 5 })),
    );
    assertEquals(gates.filter((g) => g.ok).length, 5);
    assert(gates.filter((g) => !g.ok).every((g) => g.reason === "rpm" && g.retryAfterSeconds >= 1));
    const sixth = await limiter.checkRequest({ tokenId: 1, rpm: 5 });
    assertEquals(sixth.ok, false);
    assertEquals(sixth.reason, "rpm");
    // One unit refills every 12 s.
    assert(sixth.retryAfterSeconds >= 11 && sixth.retryAfterSeconds <= 12, `got ${sixth.retryAfterSeconds}`);
    assertEquals((await limiter.checkRequest({ tokenId: 2, rpm: 5 })).ok, true, "other tokens unaffected");
  },
);

sharedKeysTest(
  "TPM is charged with the tokens actually used and checked before the next request",
  async (kv) => {
    const limiter = new TokenLimiter(kv);
    const check = () => limiter.checkRequest({ tokenId: 7, tpm: 1000 });
    assertEquals((await check()).ok, true);
    await limiter.recordTokens(7, 600);
    assertEquals((await check()).ok, true, "600 of 1000 used");
    await limiter.recordTokens(7, 500);
    const refused = await check();
    assertEquals(refused.ok, false, "1100 of 1000 used");
    assertEquals(refused.reason, "tpm");
    // 100 tokens over at 1000/min is 6 s of refill.
    assert(
      refused.retryAfterSeconds >= 6 && refused.retryAfterSeconds <= 7,
      `got ${refused.retryAfterSeconds}`,
    );
  },
);

sharedKeysTest(
  "concurrency 2 admits exactly 2 at once; release frees once, however often it is called",
  async (kv) => {
    const limiter = new TokenLimiter(kv);
    const check = () => limiter.checkRequest({ tokenId: 3, concurrency: 2 });
    const gates = await Promise.all([check(), check(), check()]);
    const admitted = gates.filter((g) => g.ok);
    assertEquals(admitted.length, 2);
    const third = gates.find((g) => !g.ok)!;
    assertEquals(third.reason, "concurrency");
    assertEquals(third.retryAfterSeconds, 1);
    await admitted[0].release();
    await admitted[0].release();
    await admitted[0].release();
    const after = await Promise.all([check(), check()]);
    assertEquals(after.filter((g) => g.ok).length, 1, "one slot came back, not three");
    for (const g of [...admitted, ...after]) await g.release();
    assertEquals((await Promise.all([check(), check(), check()])).filter((g) => g.ok).length, 2);
  },
);

sharedKeysTest("a refused request takes nothing: concurrency refusals do not use RPM units", async (kv) => {
  const limiter = new TokenLimiter(kv);
  const setting = { tokenId: 4, rpm: 5, concurrency: 1 };
  const holder = await limiter.checkRequest(setting);
  assert(holder.ok);
  const refused = await Promise.all(Array.from({ length: 10 }, () => limiter.checkRequest(setting)));
  assert(refused.every((g) => !g.ok && g.reason === "concurrency"));
  await holder.release();
  let admitted = 0;
  for (let i = 0; i < 6; i++) {
    const g = await limiter.checkRequest(setting);
    if (g.ok) {
      admitted++;
      await g.release();
    } else assertEquals(g.reason, "rpm");
  }
  assertEquals(admitted, 4, "5 RPM minus the holder");
});

sharedKeysTest(
  "release with refund gives the RPM unit back for a request never sent upstream",
  async (kv) => {
    const limiter = new TokenLimiter(kv);
    const setting = { tokenId: 5, rpm: 2 };
    const a = await limiter.checkRequest(setting);
    const b = await limiter.checkRequest(setting);
    assert(a.ok && b.ok);
    assertEquals((await limiter.checkRequest(setting)).ok, false);
    await b.release({ refund: true });
    await b.release({ refund: true });
    assertEquals((await limiter.checkRequest(setting)).ok, true);
    assertEquals((await limiter.checkRequest(setting)).ok, false, "refunded once only");
  },
);

sharedKeysTest(
  "a slot held by a process that stopped renewing expires after the lease",
  async (alive, shared) => {
    const crashed = await shared.open();
    const setting = { tokenId: 9, concurrency: 2 };
    const dying = new TokenLimiter(crashed, { leaseMs: 300 });
    const held = await Promise.all([dying.checkRequest(setting), dying.checkRequest(setting)]);
    assert(held.every((g) => g.ok));
    await shared.crash(crashed); // renewals now fail, as if the process had died
    const survivor = new TokenLimiter(alive, { leaseMs: 300 });
    assertEquals((await survivor.checkRequest(setting)).ok, false, "slots still leased");
    await new Promise((r) => setTimeout(r, 450));
    const gates = await Promise.all([survivor.checkRequest(setting), survivor.checkRequest(setting)]);
    assertEquals(gates.filter((g) => g.ok).length, 2, "expired leases freed both slots");
    for (const g of gates) await g.release();
    for (const g of held) await g.release().catch(() => {});
    dying.stop();
    survivor.stop();
  },
);

sharedKeysTest("a running request keeps its slot past the lease by renewing it", async (kv) => {
  const limiter = new TokenLimiter(kv, { leaseMs: 150 });
  const setting = { tokenId: 10, concurrency: 1 };
  const long = await limiter.checkRequest(setting);
  assert(long.ok);
  await new Promise((r) => setTimeout(r, 500));
  assertEquals((await limiter.checkRequest(setting)).ok, false, "still held after 3 lease lengths");
  await long.release();
  const next = await limiter.checkRequest(setting);
  assertEquals(next.ok, true);
  await next.release();
});

sharedKeysTest("two handles on one shared store share token limits", async (a, shared) => {
  const b = await shared.open();
  const la = new TokenLimiter(a), lb = new TokenLimiter(b);
  const gates = await Promise.all(
    Array.from({ length: 40 }, (_, i) => (i % 2 ? la : lb).checkRequest({ tokenId: 11, rpm: 5 })),
  );
  assertEquals(gates.filter((g) => g.ok).length, 5);
});
