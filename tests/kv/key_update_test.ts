import { assert, assertEquals } from "../support/assert.ts";
import { openKv } from "../../kv/kv.ts";
import { updateKey } from "../../kv/key_update.ts";
import { CommittedValues } from "../../kv/committed.ts";
import { withTempDir } from "../support/temp_dir.ts";

const add = (n: number) => (count: number | undefined = 0) => ({ state: count + n, result: count + n });
const peek = (count: number | undefined) => ({ state: count, result: count });

/** Counts the reads a handle makes (the remembered commits exist to save them). */
function countReads(kv: Deno.Kv): { reads: number } {
  const counter = { reads: 0 };
  const get = kv.get.bind(kv);
  kv.get = ((key: Deno.KvKey) => {
    counter.reads++;
    return get(key);
  }) as Deno.Kv["get"];
  return counter;
}

Deno.test("a key this process committed is updated again without reading it", async () => {
  const kv = await openKv({ kvPath: ":memory:" });
  try {
    const counter = countReads(kv);
    for (let i = 1; i <= 5; i++) assertEquals(await updateKey(kv, ["n"], add(1)), i);
    assertEquals(counter.reads, 1, "only the first update read the key");
    assertEquals((await kv.get(["n"])).value, 5);
  } finally {
    kv.close();
  }
});

Deno.test("commits racing another handle of the same KV file stay exact", async () => {
  await withTempDir(async (dir) => {
    const a = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    const b = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    try {
      // Interleaved one by one: every switch of handle finds the other's remembered commit stale.
      let expected = 0;
      for (let i = 0; i < 40; i++) {
        const n = i % 3 === 0 ? 2 : 1;
        expected += n;
        assertEquals(await updateKey(i % 5 < 2 ? a : b, ["race"], add(n)), expected);
      }
      // And all at once, in bursts on both handles.
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => updateKey(i % 3 ? a : b, ["race"], add(1))),
      );
      assertEquals(results.sort((x, y) => x - y), Array.from({ length: 200 }, (_, i) => expected + i + 1));
      assertEquals((await a.get(["race"])).value, expected + 200);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("an update that writes nothing answers from the stored value, not a stale memory", async () => {
  await withTempDir(async (dir) => {
    const a = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    const b = await openKv({ kvPath: `${dir}/kv.sqlite3` });
    try {
      assertEquals(await updateKey(a, ["peek"], add(1)), 1);
      assertEquals(await updateKey(b, ["peek"], add(10)), 11);
      assertEquals(await updateKey(a, ["peek"], peek), 11);
      assertEquals(await updateKey(a, ["peek"], add(1)), 12);
      // Deleted by the other handle after we remembered a value.
      await b.delete(["peek"]);
      assertEquals(await updateKey(a, ["peek"], peek), undefined);
      assertEquals(await updateKey(a, ["peek"], add(1)), 1);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("a deleted key is remembered as absent and recreated with a check", async () => {
  const kv = await openKv({ kvPath: ":memory:" });
  try {
    await updateKey(kv, ["gone"], add(1));
    await updateKey(kv, ["gone"], () => ({ state: undefined, result: null }));
    assertEquals((await kv.get(["gone"])).versionstamp, null);
    assertEquals(await updateKey(kv, ["gone"], add(3)), 3);
    assertEquals((await kv.get(["gone"])).value, 3);
  } finally {
    kv.close();
  }
});

Deno.test("remembered commits are dropped at their expiry and bounded in number", () => {
  const values = new CommittedValues();
  values.set("a", { versionstamp: "1", value: 1, expiresAt: 1000 });
  assertEquals(values.get("a", 999)?.value, 1);
  assertEquals(values.get("a", 1000), undefined);
  for (let i = 0; i < 5000; i++) values.set(`k${i}`, { versionstamp: "1", value: i, expiresAt: Infinity });
  assert(values.size <= 4096);
  assertEquals(values.get("k0", 0), undefined, "the oldest went first");
  assertEquals(values.get("k4999", 0)?.value, 4999);
});
