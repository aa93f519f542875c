import { assertEquals } from "../support/assert.ts";
import { enqueue, incrementWindow, openKv } from "../../kv/kv.ts";
import { withTempDir } from "../support/temp_dir.ts";

Deno.test("window counters are exact under 200 concurrent increments", async () => {
  const kv = await openKv({ kvPath: ":memory:" });
  try {
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
  } finally {
    kv.close();
  }
});

Deno.test("two handles on one KV file share counters", async () => {
  await withTempDir(async (dir) => {
    const a = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    const b = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => incrementWindow(i % 2 ? a : b, ["shared"], 60_000)),
      );
      assertEquals((await incrementWindow(a, ["shared"], 60_000)).count, 51);
    } finally {
      a.close();
      b.close();
    }
  });
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
