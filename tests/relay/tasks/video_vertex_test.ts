/**
 * Veo on Vertex AI channels (type 41) through the gateway against the fake Vertex, whose token endpoint
 * verifies the service account's RS256 JWT: predictLongRunning on the channel's region with the OAuth
 * token and `x-goog-user-project`, fetchPredictOperation polled to done, the inline video served to its
 * owner; priced ModelPrice × seconds, charged once; a refused operation refunded exactly once.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { gatewayClient, relaySetup, userQuota } from "../../support/relay.ts";
import { FAKE_MP4 } from "../../fake_upstream/openai_video.ts";
import { startFakeVertex } from "../../fake_upstream/vertex.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { taskOf } from "../../../store/tasks.ts";

const START = 100_000_000;
const QUOTA_PER_UNIT = 500_000;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

appTest(
  "veo on vertex: service-account token, predictLongRunning in the channel's region, fetchPredictOperation to done, seconds × price once, failure refunded once",
  async (h) => {
    await using fake = await startFakeVertex();
    const s = await relaySetup(h, {
      userQuota: START,
      options: {
        ModelPrice: JSON.stringify({ "veo-3.0-generate-001": 0.4, "veo-3.1-generate-preview": 0.5 }),
      },
      channels: [{
        name: "vertex",
        type: 41,
        key: JSON.stringify(fake.serviceAccount),
        baseUrl: fake.url,
        other: "us-central1",
        models: "veo-3.0-generate-001,veo-3.1-generate-preview",
        group: "default",
      }],
    });
    const res = await h.call("POST", "/v1/video/generations", {
      model: "veo-3.0-generate-001",
      prompt: "a lighthouse at night",
      duration: 6,
      size: "1920x1080",
    }, bearer(s.key));
    assertEquals(res.status, 200, await res.clone().text());
    const created = await res.json();
    const submit = fake.requests.find((r) => r.path.endsWith(":predictLongRunning"))!;
    assertEquals(
      submit.path,
      `/v1/projects/${fake.serviceAccount.project_id}/locations/us-central1/publishers/google/models/veo-3.0-generate-001:predictLongRunning`,
    );
    const op = [...fake.operations.values()][0];
    assertEquals(op.body, {
      instances: [{ prompt: "a lighthouse at night" }],
      parameters: { durationSeconds: 6, resolution: "1080p", aspectRatio: "16:9", sampleCount: 1 },
    });
    assertEquals(fake.tokensIssued, 1);
    let spent = 0.4 * QUOTA_PER_UNIT * 6;
    assertEquals(await userQuota(h, s.userId), START - spent);

    // The SDK's create; Veo's default length (8 s).
    const client = gatewayClient(h, s.key);
    const failing = await client.videos.create({
      model: "veo-3.1-generate-preview" as never,
      prompt: "[fake:fail] x",
    });
    spent += 0.5 * QUOTA_PER_UNIT * 8;
    assertEquals(await userQuota(h, s.userId), START - spent);

    assertEquals((await pollTasks(h.deps)).refunded, 0);
    assertEquals((await client.videos.retrieve(created.id)).status, "in_progress");
    assertEquals((await pollTasks(h.deps)).refunded, 0.5 * QUOTA_PER_UNIT * 8);
    assertEquals((await pollTasks(h.deps)).refunded, 0);
    spent -= 0.5 * QUOTA_PER_UNIT * 8;
    const fetch = fake.requests.find((r) => r.path.endsWith(":fetchPredictOperation"))!;
    assert(
      fetch.path.includes("/locations/us-central1/publishers/google/models/veo-3.0-generate-001:"),
      fetch.path,
    );
    assertEquals((await client.videos.retrieve(created.id)).status, "completed");
    const bad = await taskOf(h.deps.db, s.userId, "41", failing.id);
    assertEquals([bad?.status, bad?.failReason], ["FAILURE", "fake Veo refusal: unsafe prompt"]);
    const content = await client.videos.downloadContent(created.id);
    assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
    assertEquals(await userQuota(h, s.userId), START - spent);
    assertEquals(fake.tokensIssued, 1, "the token is cached across submits and polls");
  },
);
