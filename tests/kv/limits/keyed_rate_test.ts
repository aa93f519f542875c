/**
 * The per-IP GCRA buckets and the notification throttle, on every home of the limit keys: several handles
 * (instances) hammering one key together still admit exactly the limit.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { sharedKeysTest } from "../../support/redis.ts";
import { chargeKeyedRate, peekKeyedRate, takeKeyedRate } from "../../../kv/limits/keyed_rate.ts";
import { takeNotifySlot } from "../../../notify/throttle.ts";

sharedKeysTest(
  "a keyed bucket of 10 per minute admits exactly 10 of 60 across three handles",
  async (kv, shared) => {
    const handles = [kv, await shared.open(), await shared.open()];
    const rate = { limit: 10, periodMs: 60_000 };
    const answers = await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) => takeKeyedRate(handles[i % 3], ["limits", "ip", "api", "1.2.3.4"], rate),
      ),
    );
    assertEquals(
      answers.filter((a) => a.ok).length,
      10,
    );
    const refused = answers.find((a) => !a.ok)!;
    assert(
      refused.retryAfterMs > 5000 && refused.retryAfterMs <= 6000,
      `retry after ${refused.retryAfterMs}`,
    );
    assertEquals((await takeKeyedRate(kv, ["limits", "ip", "api", "5.6.7.8"], rate)).ok, true, "per key");
  },
);

sharedKeysTest(
  "a charged bucket is peeked, not taken, and an overdraft refuses the next peek",
  async (kv, shared) => {
    const other = await shared.open();
    const rate = { limit: 100, periodMs: 60_000 };
    const key = ["limits", "tpm", 1];
    assertEquals((await peekKeyedRate(kv, key, rate)).ok, true);
    await chargeKeyedRate(other, key, rate, 150);
    const peek = await peekKeyedRate(kv, key, rate);
    assertEquals(peek.ok, false, "150 of 100 charged on the other handle");
    assert(
      peek.retryAfterMs > 30_000 - 1000 && peek.retryAfterMs <= 30_600,
      `retry after ${peek.retryAfterMs}`,
    );
  },
);

sharedKeysTest("the notification throttle lets 2 of 20 through across two handles", async (kv, shared) => {
  const other = await shared.open();
  const limit = { count: 2, minutes: 10 };
  const passed = await Promise.all(
    Array.from({ length: 20 }, (_, i) => takeNotifySlot(i % 2 ? kv : other, 7, "quota", limit)),
  );
  assertEquals(passed.filter(Boolean).length, 2);
  assertEquals(await takeNotifySlot(kv, 7, "channel", limit), true, "per notice type");
});
