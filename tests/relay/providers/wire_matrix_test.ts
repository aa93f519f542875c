/**
 * The gateway conformance matrix's columns for the adapter families with their own wire format (Bedrock
 * Converse, Cohere v2, Tencent Hunyuan, Zhipu v3): every ingress dialect × each family × its cases (text, system
 * prompt, a tool call with its result, two parallel calls, an image and thinking where the provider takes
 * them), stream and non-stream, through the real HTTP path to each provider's fake. A stream means what the
 * non-stream answer means (text, calls with arguments, reasoning, finish, usage) and has no error event;
 * every request is billed exactly from the usage its client was shown.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { answerMeaning } from "../formats/conformance/matrix.ts";
import {
  type CaseName,
  CASES,
  clientRequest,
  INGRESS,
  readAnswer,
} from "../native/conformance/gateway_matrix.ts";
import { startFakeBedrock } from "../../fake_upstream/bedrock.ts";
import { startFakeCohere } from "../../fake_upstream/cohere.ts";
import { startFakeTencent } from "../../fake_upstream/tencent.ts";
import { startFakeZhipuV3 } from "../../fake_upstream/zhipu_v3.ts";

const FAMILIES: { model: string; cases: CaseName[] }[] = [
  { model: "m-bedrock", cases: ["text", "system", "tool_result", "parallel_tools", "image", "thinking"] },
  { model: "m-cohere", cases: ["text", "system", "tool_result", "parallel_tools", "image", "thinking"] },
  { model: "m-tencent", cases: ["text", "system", "tool_result", "parallel_tools"] },
  // Zhipu's v3 API has no tools, images nor reasoning.
  { model: "m-zhipu3", cases: ["text", "system"] },
];
const each = (v: number) => JSON.stringify(Object.fromEntries(FAMILIES.map((f) => [f.model, v])));

for (const ingress of INGRESS) {
  appTest(`wire matrix: ${ingress} clients on Bedrock, Cohere, Tencent and Zhipu v3 channels`, async (h) => {
    await using bedrock = await startFakeBedrock({
      accessKeyId: "AKIAMATRIX0000000001",
      secretAccessKey: "matrixSecret0123456789",
    });
    await using cohere = await startFakeCohere({ key: "co-matrix-key-1" });
    await using tencent = await startFakeTencent({
      secretId: "AKIDmatrix000000000001",
      secretKey: "matrixTencentSecret01",
    });
    await using zhipu = await startFakeZhipuV3({ id: "matrixzhipu01", secret: "matrixZhipuSecret01" });
    const s = await relaySetup(h, {
      options: {
        ModelRatio: each(1),
        CompletionRatio: each(2),
        CacheRatio: each(0.25),
        CreateCacheRatio: each(1.25),
        PreConsumedQuota: "0",
      },
      channels: [
        fakeChannel(bedrock.url, {
          type: 33,
          key: "AKIAMATRIX0000000001|matrixSecret0123456789|us-west-2",
          models: "m-bedrock",
          modelMapping: JSON.stringify({ "m-bedrock": "claude-sonnet-4-5-20250929" }),
        }),
        fakeChannel(cohere.url, { type: 34, key: "co-matrix-key-1", models: "m-cohere" }),
        fakeChannel(tencent.url, {
          type: 23,
          key: "1300000001|AKIDmatrix000000000001|matrixTencentSecret01",
          models: "m-tencent",
        }),
        fakeChannel(zhipu.url, { type: 16, key: "matrixzhipu01.matrixZhipuSecret01", models: "m-zhipu3" }),
      ],
    });
    for (const family of FAMILIES) {
      for (const name of family.cases) {
        const meanings = [];
        for (const stream of [false, true]) {
          const cell = `${ingress} → ${family.model}, ${name}${stream ? ", stream" : ""}`;
          const req = clientRequest(ingress, { ...CASES[name].request, model: family.model, stream }, s.key);
          const before = await userQuota(h, s.userId);
          const res = await h.call("POST", req.path, req.body, req.headers);
          assertEquals(
            res.status,
            200,
            `${cell}: ${res.status} ${res.status === 200 ? "" : await res.text()}`,
          );
          const got = await readAnswer(ingress, res, stream);
          assertEquals(got.errors, 0, `${cell}: no error event`);
          const seen = answerMeaning(got.ir, ingress, true);
          assertEquals(seen.calls.length, CASES[name].calls, `${cell}: tool calls`);
          if (name !== "parallel_tools") assert(seen.text.length > 0, `${cell}: text`);
          if (name === "thinking") assert(seen.reasoning.length > 0, `${cell}: reasoning`);
          meanings.push(seen);
          await settled(h);
          const u = got.ir.usage!;
          assert(u, `${cell}: usage shown`);
          const shownQuota = expectedQuota({
            input: u.inputTokens,
            cacheRead: u.cacheReadTokens,
            cacheWrite: u.cacheWriteTokens,
            output: u.outputTokens,
          });
          assertEquals(before - await userQuota(h, s.userId), shownQuota, `${cell}: charged what was shown`);
        }
        assertEquals(meanings[1], meanings[0], `${ingress} → ${family.model}, ${name}: stream = answer`);
      }
    }
    assertEquals(bedrock.rejected, []);
    assertEquals(tencent.refused, []);
    assertEquals(zhipu.refused, []);
  });
}
