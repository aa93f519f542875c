/**
 * T15 all-upstreams-down, the hanging half (failover_test.ts pins refused connections): when every
 * channel accepts the connection and never answers, the client gets a 5xx within RELAY_FIRST_BYTE_TIMEOUT
 * × attempts + ε, stream or not; every hanging upstream connection is closed, nothing is charged and no
 * hold is left.
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, settled, userQuota } from "../support/relay.ts";

appTest(
  "every channel hanging: a 5xx within the first-byte timeout per attempt, nothing held or charged",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: { RetryTimes: "2" },
      channels: [
        fakeChannel(fake.url, { name: "A", key: "key-a", priority: 10 }),
        fakeChannel(fake.url, { name: "B", key: "key-b", priority: 5 }),
        fakeChannel(fake.url, { name: "C", key: "key-c", priority: 0 }),
      ],
    });
    const before = await userQuota(h, s.userId);
    for (const stream of [false, true]) {
      fake.reset(); // also clears faults
      for (const key of ["key-a", "key-b", "key-c"]) fake.setKeyFault(key, { hang: true });
      const started = performance.now();
      const res = await chat(h, s.key, {
        model: "gpt-4o-mini",
        stream,
        messages: [{ role: "user", content: "anyone there?" }],
      });
      const text = await res.text();
      const took = performance.now() - started;
      assert(res.status >= 500 && res.status < 600, `${res.status}: ${text}`);
      assertEquals(typeof JSON.parse(text).error.message, "string", "an OpenAI-shaped error, not a stream");
      assertEquals(fake.requests.length, 3, "one attempt per channel (RetryTimes 2)");
      assert(took > 2900 && took < 3 * 1000 + 1500, `answered after ${Math.round(took)} ms`);
      for (const r of fake.requests) await r.waitForClientClose(1000);
      await settled(h);
      assertEquals(await heldCount(h), 0);
    }
    assertEquals(await userQuota(h, s.userId), before, "nothing charged");
  },
  { RELAY_FIRST_BYTE_TIMEOUT: "1" },
);
