/**
 * T18 circuit-breaker-recovery: a channel that fails 5 times in a row (5xx or no answer) is ejected and
 * traffic goes to the next one without trying it; after the ejection one probe is sent, and on success the
 * channel takes traffic again. The caller's own 4xx never count toward ejection.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assertEquals } from "../support/assert.ts";
import { type FakeUpstream, startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../support/relay.ts";
import { ChannelBreaker } from "../../relay/health/breaker.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

/** Channel A (key-a, tried first) and B (key-b) on one fake upstream; `hitsOf` counts a key's requests. */
async function twoChannels(h: AppHarness, fake: FakeUpstream) {
  const s = await relaySetup(h, {
    options: { RetryTimes: "1" },
    channels: [
      fakeChannel(fake.url, { name: "A", key: "key-a", priority: 10 }),
      fakeChannel(fake.url, { name: "B", key: "key-b", priority: 0 }),
    ],
  });
  const hitsOf = (key: string) =>
    fake.requests.filter((r) => r.headers.get("authorization") === `Bearer ${key}`).length;
  return { s, hitsOf };
}

appTest(
  "a channel failing 5 times in a row is ejected, probed after the ejection, and re-admitted on success",
  async (h) => {
    await using fake = await startFakeUpstream();
    const { s, hitsOf } = await twoChannels(h, fake);
    fake.setKeyFault("key-a", { status: 503 });
    for (let i = 0; i < 8; i++) {
      const res = await chat(h, s.key, ask);
      assertEquals(res.status, 200, await res.text());
    }
    assertEquals(hitsOf("key-a"), 5, "A is tried until its fifth failure in a row, then skipped");
    assertEquals(hitsOf("key-b"), 8, "B answers every request");

    // A recovers; while ejected it still gets nothing.
    fake.setKeyFault("key-a", undefined);
    await (await chat(h, s.key, ask)).text();
    assertEquals(hitsOf("key-a"), 5);

    // After the ejection (1 s here) one probe reaches A; it succeeds and A takes the traffic again.
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 3; i++) assertEquals((await chat(h, s.key, ask)).status, 200);
    assertEquals(hitsOf("key-a"), 8, "the probe and every request after it go to A");
    assertEquals(hitsOf("key-b"), 9);
    await settled(h);
  },
  { CHANNEL_BREAKER_EJECT_SECONDS: "1" },
);

appTest(
  "the caller's 400s never eject a channel, and a channel without another still gets tried",
  async (h) => {
    await using fake = await startFakeUpstream();
    const { s, hitsOf } = await twoChannels(h, fake);
    fake.setKeyFault("key-a", { status: 400, message: "bad request from the caller" });
    for (let i = 0; i < 7; i++) assertEquals((await chat(h, s.key, ask)).status, 400);
    fake.setKeyFault("key-a", undefined);
    await (await chat(h, s.key, ask)).text();
    assertEquals(hitsOf("key-a"), 8, "A was never ejected by 400s");
    assertEquals(hitsOf("key-b"), 0, "400s are not retried elsewhere");

    // Both ejected: requests still reach them rather than failing with no channel.
    fake.setKeyFault("key-a", { status: 502 });
    fake.setKeyFault("key-b", { status: 502 });
    for (let i = 0; i < 6; i++) await (await chat(h, s.key, ask)).text();
    fake.reset();
    const res = await chat(h, s.key, ask);
    assertEquals(res.status, 200, "an ejected channel is still tried when it is the only way");
    await settled(h);
  },
);

Deno.test("breaker: ejection doubles on failed probes up to the cap, success closes it", () => {
  let now = 0;
  const b = new ChannelBreaker({ failures: 3, ejectMs: 1000, maxEjectMs: 3000 }, () => now);
  b.failure(1, 500);
  b.failure(1, 0);
  b.failure(1, 429);
  b.failure(1, 404);
  assertEquals(b.ejected(1), false, "429 and 4xx do not count");
  b.failure(1, 504);
  assertEquals(b.ejected(1), true);
  now = 1000;
  assertEquals(b.ejected(1), false, "the probe is due");
  b.picked(1);
  assertEquals(b.ejected(1), true, "one probe at a time");
  b.failure(1, 500);
  now = 2999;
  assertEquals(b.ejected(1), true, "failed probe: 2 s");
  now = 3000;
  b.picked(1);
  b.failure(1, 500);
  now = 5999;
  assertEquals(b.ejected(1), true, "capped at 3 s");
  now = 6000;
  b.picked(1);
  b.success(1);
  assertEquals(b.ejected(1), false);
  b.failure(1, 500);
  assertEquals(b.ejected(1), false, "closed again: the count starts over");
  const off = new ChannelBreaker({ failures: 0, ejectMs: 1000, maxEjectMs: 1000 }, () => now);
  for (let i = 0; i < 10; i++) off.failure(2, 500);
  assertEquals(off.ejected(2), false, "0 turns it off");
});
