import { assertEquals } from "../support/assert.ts";
import { enqueue, incrementWindow, openKv } from "../../kv/kv.ts";
import { sharedKeysTest } from "../support/redis.ts";

sharedKeysTest("window counters are exact under 200 concurrent increments", async (kv) => {
  const results = await Promise.all(
    Array.from({ length: 200 }, () => incrementWindow(kv, ["test", "rpm"], 60_000)),
  );
  const counts = results.map((r) => r.count).sort((a, b) => a - b);
  assertEquals(
    counts,
    Array.from({ length: 200 }, (_, i) => i + 1),
    "every increment saw a distinct count",
  );
  assertEquals(results.every((r) => r.resetMs > 0 && r.resetMs <= 60_000), true);
});

sharedKeysTest("two handles on one shared store share counters", async (a, shared) => {
  const b = await shared.open();
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => incrementWindow(i % 2 ? a : b, ["shared"], 60_000)),
  );
  assertEquals((await incrementWindow(a, ["shared"], 60_000)).count, 51);
});

Deno.test("queued messages are delivered to the listener", async () => {
  const kv = await openKv({ kvPath: ":memory:" });
  const received: unknown[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const listening = kv.listenQueue((msg) => {
    received.push(msg);
    if (received.length === 3) done();
  });
  try {
    for (const n of [1, 2, 3]) await enqueue(kv, { n });
    await all;
    assertEquals(received.map((m) => (m as { n: number }).n).sort(), [1, 2, 3]);
  } finally {
    kv.close();
    await listening;
  }
});
