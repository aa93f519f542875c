/**
 * Channel health: the admin test routes answer New API's `{success, message, time}` and store the response
 * time; the test of all channels disables a failing or too slow channel and re-enables a recovered one;
 * the scheduled job runs through the scheduler's lease; root is notified when a channel is disabled.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, relaySetup } from "../../support/relay.ts";
import { cast } from "../../support/console_client.ts";
import { getChannel } from "../../../store/channels.ts";
import { channelTestJob } from "../../../relay/health/test_job.ts";
import { testAllChannels } from "../../../relay/health/test_all.ts";
import { startWebhookReceiver } from "../../support/webhook_receiver.ts";

appTest(
  "GET /api/channel/test/:id reports success and time, or the failure, and stores the response time",
  async (h) => {
    await using fake = await startFakeUpstream({ latencyMs: 50 });
    const { admin, alice } = await cast(h);
    const s = await relaySetup(h, {
      channels: [
        fakeChannel(fake.url, { key: "good", testModel: "gpt-4.1" }),
        fakeChannel(fake.url, { key: "sk-bad-CANARY0000000000000" }),
        fakeChannel(fake.url, { key: "emb", models: "text-embedding-3-small" }),
      ],
    });
    fake.setKeyFault("sk-bad-CANARY0000000000000", { status: 401 });
    const good = await admin.call("GET", `/api/channel/test/${s.channelIds[0]}`);
    assertEquals(good.body.success, true, good.text);
    assertEquals(good.body.message, "");
    assert(good.body.time >= 0.05 && good.body.time < 5, String(good.body.time));
    assertEquals(fake.lastRequest()!.json.model, "gpt-4.1", "the channel's test model");
    const stored = await getChannel(h.deps.db, s.channelIds[0]);
    assert(stored!.responseTime >= 50 && stored!.testTime > 0);

    const other = await admin.call("GET", `/api/channel/test/${s.channelIds[0]}?model=gpt-4o-mini`);
    assertEquals(other.body.success, true);
    assertEquals(fake.lastRequest()!.json.model, "gpt-4o-mini");

    const bad = await admin.call("GET", `/api/channel/test/${s.channelIds[1]}`);
    assertEquals([bad.body.success, bad.body.time], [false, 0]);
    assert(bad.body.message.includes("401") && !bad.body.message.includes("CANARY"), bad.body.message);
    assertEquals((await getChannel(h.deps.db, s.channelIds[1]))!.status, 1, "a single test does not disable");

    const emb = await admin.call("GET", `/api/channel/test/${s.channelIds[2]}`);
    assertEquals(emb.body.success, true);
    assertEquals(fake.lastRequest()!.path, "/v1/embeddings");

    assertEquals((await alice.call("GET", `/api/channel/test/${s.channelIds[0]}`)).status, 403);
    assertEquals((await admin.call("GET", "/api/channel/test/99999")).status, 404);
    const all = await admin.call("GET", "/api/channel/test");
    assertEquals(all.body.success, true);
  },
);

appTest("testing all channels disables a slow one and re-enables it once it recovers", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: {
      AutomaticDisableChannelEnabled: "true",
      AutomaticEnableChannelEnabled: "true",
      ChannelDisableThreshold: "0.3",
    },
    channels: [fakeChannel(fake.url, { key: "slow" }), fakeChannel(fake.url, { key: "fine" })],
  });
  fake.setKeyFault("slow", { latencyMs: 600 });
  const first = await testAllChannels(h.deps);
  assertEquals([first!.tested, first!.disabled], [2, 1]);
  assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 3);
  assert((await getChannel(h.deps.db, s.channelIds[0]))!.otherInfo.includes("threshold"));
  fake.setKeyFault("slow", undefined);
  const second = await testAllChannels(h.deps);
  assertEquals(second!.enabled, 1);
  assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
});

appTest(
  "the scheduled test re-enables an auto-disabled channel; manually disabled ones are left alone",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: {
        AutomaticEnableChannelEnabled: "true",
        "monitor_setting.auto_test_channel_enabled": "true",
        "monitor_setting.auto_test_channel_minutes": "1",
      },
      channels: [fakeChannel(fake.url, { status: 3 }), fakeChannel(fake.url, { status: 2 })],
    });
    const job = channelTestJob(h.deps, 1000, 0);
    assert(await h.deps.jobs.tick(job), "this instance holds the lease");
    assertEquals((await getChannel(h.deps.db, s.channelIds[0]))!.status, 1);
    assertEquals((await getChannel(h.deps.db, s.channelIds[1]))!.status, 2);
    assertEquals(fake.requestCount, 1);
    assert(h.deps.catalog.tiers("default", "gpt-4o-mini")[0].some((c) => c.id === s.channelIds[0]));
  },
);

appTest("root is notified when a channel is disabled automatically", async (h) => {
  await using fake = await startFakeUpstream();
  await using receiver = startWebhookReceiver();
  const { root } = await cast(h);
  const setting = JSON.stringify({ notify_type: "webhook", webhook_url: receiver.url });
  await h.deps.db.exec("UPDATE users SET setting = ? WHERE id = ?", [setting, root.userId]);
  const s = await relaySetup(h, {
    options: { AutomaticDisableChannelEnabled: "true", ...receiver.options },
    channels: [fakeChannel(fake.url, { name: "flaky" })],
  });
  fake.setKeyFault("sk-upstream-key", { status: 401 });
  const res = await h.call("POST", "/v1/chat/completions", {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
  }, { authorization: `Bearer ${s.key}` });
  assertEquals(res.status, 401);
  await receiver.waitFor(1);
  assertEquals(receiver.hooks[0].type, "channel_update");
  assert(String(receiver.hooks[0].title).includes("flaky"));
});
