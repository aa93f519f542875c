/**
 * Keys this process alone writes: updates apply in memory without a KV round trip, stay exact under
 * concurrency, are written behind to KV, and a restart continues from what was written.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { updateKey } from "../../kv/key_update.ts";
import { ownKeys } from "../../kv/owned_keys.ts";
import { takeRate } from "../../kv/limits/rate.ts";

/** A KV handle that counts the calls made on it. */
function counting(kv: Deno.Kv) {
  const calls = { get: 0, atomic: 0 };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "atomic") calls[prop]++;
      return value.bind(target);
    },
  });
  return { kv: proxy, calls };
}

const add = (n: number) => (count: number | undefined = 0) => ({ state: count + n, result: count + n });

Deno.test("owned keys: 200 concurrent updates are exact and cost one read, the writes coalesced behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "napi_owned_" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  try {
    const { kv: handle, calls } = counting(kv);
    const owned = ownKeys(handle);
    const results = await Promise.all(Array.from({ length: 200 }, () => updateKey(handle, ["n"], add(1))));
    assertEquals(results.toSorted((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
    assertEquals(calls.get, 1);
    // Sequential updates after the first read never wait for KV.
    for (let i = 0; i < 100; i++) await updateKey(handle, ["n"], add(1));
    assertEquals(calls.get, 1);
    await owned.flush();
    assert(calls.atomic < 50, `writes behind are coalesced (${calls.atomic} commits for 300 updates)`);
    assertEquals((await kv.get<number>(["n"])).value, 300);
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("owned keys: a restarted process continues from what was written behind (a limit stays spent)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "napi_owned_" });
  const rate = { limit: 3, periodMs: 60_000 };
  const take = (tat: number | undefined, now: number) => {
    const d = takeRate(tat, now, rate);
    return { state: d.tat, result: d.ok, expireInMs: 120_000 };
  };
  try {
    const first = await Deno.openKv(`${dir}/kv.sqlite3`);
    const owned = ownKeys(first);
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push(await updateKey(first, ["rpm"], take));
    assertEquals(allowed, [true, true, true]);
    await owned.flush();
    first.close();

    const second = await Deno.openKv(`${dir}/kv.sqlite3`);
    ownKeys(second);
    assertEquals(await updateKey(second, ["rpm"], take), false);
    second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("owned keys: an update that throws rejects alone and changes nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    ownKeys(kv);
    await updateKey(kv, ["k"], add(5));
    const failed = updateKey<number, number>(kv, ["k"], () => {
      throw new Error("bad update");
    });
    let message = "";
    await failed.catch((e) => (message = e.message));
    assertEquals(message, "bad update");
    assertEquals(await updateKey(kv, ["k"], add(0)), 5);
  } finally {
    kv.close();
  }
});
