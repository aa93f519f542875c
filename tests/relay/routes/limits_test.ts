/**
 * Limits through the relay: a token's RPM limit answers the 6th request of a minute with 429, Retry-After
 * and OpenAI's error shape, and the upstream saw only 5; New API's model request limit counts per user;
 * a refused request is neither charged nor sent upstream.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, settled, userQuota } from "../../support/relay.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "count me" }] };

appTest("a 5 RPM token gets 429 with Retry-After on the 6th request; the upstream saw 5", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], token: { rpmLimit: 5 } });
  for (let i = 0; i < 5; i++) assertEquals((await chat(h, s.key, ask)).status, 200, `request ${i + 1}`);
  await settled(h);
  const before = await userQuota(h, s.userId);
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 429);
  const retry = Number(res.headers.get("retry-after"));
  assert(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  const body = await res.json();
  assertEquals(body.error.type, "rate_limit_error");
  assertEquals(body.error.code, "rate_limit_exceeded");
  assert(body.error.message.includes("5 requests per minute"));
  assertEquals(fake.requestCount, 5);
  assertEquals(await userQuota(h, s.userId), before);
  assertEquals(await heldCount(h), 0);
});

appTest("requests refused before the upstream give their RPM unit back", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], token: { rpmLimit: 2 } });
  // Unknown model: refused after the gate, before any upstream.
  for (let i = 0; i < 3; i++) assertEquals((await chat(h, s.key, { ...ask, model: "nope" })).status, 404);
  assertEquals((await chat(h, s.key, ask)).status, 200);
  assertEquals((await chat(h, s.key, ask)).status, 200);
  assertEquals((await chat(h, s.key, ask)).status, 429);
});

appTest("a token's concurrency limit refuses a request beyond it while the others run", async (h) => {
  await using fake = await startFakeUpstream({ latencyMs: 400 });
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], token: { concurrencyLimit: 2 } });
  const statuses = (await Promise.all([1, 2, 3].map(() => chat(h, s.key, ask)))).map((r) => r.status).sort();
  assertEquals(statuses, [200, 200, 429]);
  assertEquals((await chat(h, s.key, ask)).status, 200, "slots are freed when requests end");
});

appTest("New API's model request limit counts every request of the user", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url)],
    options: {
      ModelRequestRateLimitEnabled: "true",
      ModelRequestRateLimitDurationMinutes: "1",
      ModelRequestRateLimitCount: "2",
    },
  });
  assertEquals((await chat(h, s.key, ask)).status, 200);
  assertEquals((await chat(h, s.key, ask)).status, 200);
  const res = await chat(h, s.key, ask);
  assertEquals(res.status, 429);
  assert(Number(res.headers.get("retry-after")) > 0);
  assertEquals(fake.requestCount, 2);
});
