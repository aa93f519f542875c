/**
 * `/mj/notify` as New API has it now: the key's owner names one of its tasks and the gateway fetches that
 * task from its channel at once. What the body claims is never written and never moves money: a forged
 * SUCCESS or FAILURE changes nothing the upstream did not say; another user's task id is
 * `midjourney_task_not_found` and nothing is fetched; a finished task is not fetched again.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { relaySetup, userQuota } from "../../support/relay.ts";
import { type FakeMidjourney, startFakeMidjourney } from "../../fake_upstream/midjourney.ts";
import { mjTaskOf } from "../../../store/midjourneys.ts";

const IMAGINE = 50_000;
const START = 1_000_000;

async function setup(h: AppHarness, fake: FakeMidjourney, username = "payer") {
  return await relaySetup(h, {
    userQuota: START,
    username,
    channels: username !== "payer" ? [] : [{
      name: "mj",
      type: 2,
      key: "mj-upstream-secret",
      baseUrl: fake.url,
      models: "mj_imagine",
      group: "default",
    }],
  });
}

const call = (h: AppHarness, key: string, path: string, body: unknown) =>
  h.call("POST", path, body, { authorization: `Bearer ${key}` });

async function withFake(fn: (fake: FakeMidjourney) => Promise<void>) {
  const fake = await startFakeMidjourney();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

const fetches = (fake: FakeMidjourney) =>
  fake.requests.filter((r) => r.path === "/mj/task/list-by-condition").length;

appTest(
  "mj notify: a wake-up that fetches the owner's task from its channel; the body is never written",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const id = (await (await call(h, s.key, "/mj/submit/imagine", { prompt: "a fox" })).json()).result;
      const forged = {
        id,
        status: "SUCCESS",
        progress: "100%",
        imageUrl: "http://169.254.169.254/latest/meta-data",
        failReason: "",
      };
      const res = await call(h, s.key, "/mj/notify", forged);
      assertEquals(res.status, 200);
      assertEquals(fetches(fake), 1);
      let row = (await mjTaskOf(h.deps.db, s.userId, id))!;
      // The upstream's word (its first poll: IN_PROGRESS 50%), not the body's.
      assertEquals([row.status, row.progress], ["IN_PROGRESS", "50%"]);
      assert(row.imageUrl.startsWith(fake.url), row.imageUrl);
      assertEquals((await call(h, s.key, "/fast/mj/notify", { id })).status, 200);
      row = (await mjTaskOf(h.deps.db, s.userId, id))!;
      assertEquals([row.status, row.progress], ["SUCCESS", "100%"]);
      assert(row.imageUrl.startsWith(fake.url), row.imageUrl);
      // Finished: a notify fetches nothing more.
      assertEquals((await call(h, s.key, "/mj/notify", { id, status: "FAILURE" })).status, 200);
      assertEquals(fetches(fake), 2);
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);
    }),
);

appTest(
  "mj notify: a forged FAILURE refunds nothing; another user's or no key finds nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const id =
        (await (await call(h, s.key, "/mj/submit/imagine", { prompt: "[fake:hang] owl" })).json()).result;
      for (let i = 0; i < 3; i++) {
        assertEquals(
          (await call(h, s.key, "/mj/notify", { id, status: "FAILURE", progress: "100%", failReason: "x" }))
            .status,
          200,
        );
      }
      assertEquals((await mjTaskOf(h.deps.db, s.userId, id))?.status, "IN_PROGRESS");
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);

      const before = fetches(fake);
      const other = await setup(h, fake, "other");
      const foreign = await call(h, other.key, "/mj/notify", { id, status: "FAILURE" });
      assertEquals(foreign.status, 400);
      assertEquals((await foreign.json()).description, "midjourney_task_not_found");
      assertEquals((await h.call("POST", "/mj/notify", { id })).status, 401);
      assertEquals((await call(h, s.key, "/mj/notify", "not json")).status, 400);
      assertEquals(fetches(fake), before);
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);
      assertEquals(await userQuota(h, other.userId), START);
    }),
);
