/**
 * New API's legacy relay modes, driven with the official `openai` SDK's raw `post` (it has no typed call for
 * them any more): `/v1/edits` passes through to OpenAI-style channels and bills its reported usage;
 * `/v1/engines/{model}/embeddings` takes the model from the path unless the body names one, and writes it
 * into the forwarded body. Bad input is a 400 in OpenAI's shape that reaches no upstream and charges nothing.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import {
  fakeChannel,
  gatewayClient,
  RELAY_PRICES,
  relaySetup,
  settled,
  userQuota,
} from "../../support/relay.ts";

const EDIT_MODEL = "text-davinci-edit-001";

appTest("edits and engines embeddings relay New API's legacy modes, billed exactly", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: `text-embedding-3-small,test-model,${EDIT_MODEL}` })],
    options: {
      ModelRatio: JSON.stringify({ ...JSON.parse(RELAY_PRICES.ModelRatio), [EDIT_MODEL]: 1 }),
      CompletionRatio: JSON.stringify({ ...JSON.parse(RELAY_PRICES.CompletionRatio), [EDIT_MODEL]: 2 }),
    },
  });
  const gw = gatewayClient(h, s.key);

  let before = await userQuota(h, s.userId);
  // deno-lint-ignore no-explicit-any
  const edit: any = await gw.post("/edits", {
    body: {
      model: EDIT_MODEL,
      input: "What day of the wek is it?",
      instruction: "Fix the spelling mistakes",
    },
  });
  assertEquals(edit.object, "edit");
  assertEquals(fake.lastRequest()!.path, "/v1/edits");
  await settled(h);
  assertEquals(
    before - (await userQuota(h, s.userId)),
    edit.usage.prompt_tokens + 2 * edit.usage.completion_tokens,
  );

  // The path names the model; the forwarded body carries it.
  before = await userQuota(h, s.userId);
  // deno-lint-ignore no-explicit-any
  const emb: any = await gw.post("/engines/text-embedding-3-small/embeddings", { body: { input: "tides" } });
  assertEquals(emb.data.length, 1);
  let sent = fake.lastRequest()!;
  assertEquals(sent.path, "/v1/embeddings");
  assertEquals(sent.json.model, "text-embedding-3-small");
  assertEquals(sent.json.input, "tides");
  await settled(h);
  assertEquals(before - (await userQuota(h, s.userId)), emb.usage.prompt_tokens);

  // A model in the body wins over the path (New API reads the body first).
  await gw.post("/engines/ignored-model/embeddings", { body: { model: "test-model", input: "moon" } });
  sent = fake.lastRequest()!;
  assertEquals(sent.json.model, "test-model");

  const count = fake.requestCount;
  before = await userQuota(h, s.userId);
  const auth = { authorization: `Bearer ${s.key}` };
  const noInstruction = await h.call("POST", "/v1/edits", { model: EDIT_MODEL, input: "x" }, auth);
  assertEquals(noInstruction.status, 400);
  assertEquals(typeof (await noInstruction.json()).error.message, "string");
  const noInput = await h.call("POST", "/v1/engines/text-embedding-3-small/embeddings", {}, auth);
  assertEquals(noInput.status, 400);
  assertEquals(typeof (await noInput.json()).error.message, "string");
  assertEquals(fake.requestCount, count);
  assertEquals(await userQuota(h, s.userId), before);
});
