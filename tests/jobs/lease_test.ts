import { assert, assertEquals } from "../support/assert.ts";
import { storeTest } from "../support/stores.ts";
import { acquireLease, releaseLease } from "../../jobs/lease.ts";
import { Scheduler } from "../../jobs/scheduler.ts";

storeTest("a lease has one holder at a time, is renewable, and lapses when its holder stops", async (f) => {
  const a = await f.openMigrated();
  const b = await f.open();
  try {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => acquireLease(i % 2 ? a : b, "job", `holder-${i}`, 60_000)),
    );
    assertEquals(results.filter(Boolean).length, 1, "exactly one of 20 racing instances wins");
    const winner = `holder-${results.indexOf(true)}`;
    assert(await acquireLease(a, "job", winner, 60_000), "the holder renews");
    assert(!await acquireLease(b, "job", "someone-else", 60_000));
    await releaseLease(a, "job", winner);
    assert(await acquireLease(b, "job", "someone-else", 50), "a released lease is free");
    await new Promise((r) => setTimeout(r, 80));
    assert(await acquireLease(a, "job", "third", 60_000), "an expired lease is free");
  } finally {
    await b.close();
    await a.close();
  }
});

storeTest("a scheduled job runs on one instance per interval", async (f) => {
  const a = await f.openMigrated();
  const b = await f.open();
  try {
    let runs = 0;
    const job = { name: "channel-test", intervalMs: 60_000, run: () => Promise.resolve(void runs++) };
    const ticks = await Promise.all([new Scheduler(a, "A").tick(job), new Scheduler(b, "B").tick(job)]);
    assertEquals(runs, 1);
    assertEquals(ticks.filter(Boolean).length, 1);
  } finally {
    await b.close();
    await a.close();
  }
});
