/**
 * The conformance matrix through the real gateway: every ingress dialect (OpenAI Chat, Responses, Claude,
 * Gemini) × every channel type (OpenAI, Anthropic, Gemini) × every case (text, system prompt, a tool call
 * with its result, two parallel calls, an image, thinking), stream and non-stream. Each answer, as the
 * client's own codec reads it, means what the fake answers the upstream request straight (text, calls
 * with arguments, reasoning, signatures, finish reason, usage); a stream has no error event; and the
 * request is billed exactly from that usage (1 prompt token = 1, 1 completion token = 2).
 */
import { appTest } from "../../../support/app.ts";
import { assert, assertEquals } from "../../../support/assert.ts";
import { startFakeUpstream } from "../../../fake_upstream/mod.ts";
import { settled, userQuota } from "../../../support/relay.ts";
import { expectedQuota, nativeSetup, replay, UPSTREAMS } from "../../../support/native_relay.ts";
import { CODECS } from "../../../../relay/formats/translate.ts";
import { answerMeaning } from "../../formats/conformance/matrix.ts";
import { asInt, queryOne } from "../../../../store/db.ts";
import {
  type CaseName,
  CASES,
  clientRequest,
  INGRESS,
  readAnswer,
  upstreamDialectOf,
  visibleTo,
} from "./gateway_matrix.ts";

for (const ingress of INGRESS) {
  appTest(`gateway matrix: ${ingress} clients on every channel type`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    for (const upstream of UPSTREAMS) {
      for (const name of Object.keys(CASES) as CaseName[]) {
        for (const stream of [false, true]) {
          const cell = `${ingress} → ${upstream.kind}, ${name}${stream ? ", stream" : ""}`;
          const req = clientRequest(
            ingress,
            { ...CASES[name].request, model: upstream.model, stream },
            s.key,
          );
          const before = await userQuota(h, s.userId);
          const count = fake.requestCount;
          const res = await h.call("POST", req.path, req.body, req.headers);
          assertEquals(res.status, 200, `${cell}: ${res.status}`);
          const got = await readAnswer(ingress, res, stream);
          assertEquals(fake.requestCount, count + 1, `${cell}: one upstream call`);
          const sent = fake.lastRequest()!;
          const upstreamDialect = upstreamDialectOf(sent.path);
          assert(
            upstream.kind !== "openai" ||
              upstreamDialect === (ingress === "openai_responses" ? ingress : "openai_chat"),
            `${cell}: spoke ${upstreamDialect}`,
          );

          // The reference: the same upstream request, non-stream, sent to the fake straight.
          const url = new URL(sent.url);
          url.pathname = url.pathname.replace(":streamGenerateContent", ":generateContent");
          url.searchParams.delete("alt");
          const body = { ...sent.json };
          delete body.stream;
          delete body.stream_options;
          const refRes = await replay(
            fake,
            {
              ...sent,
              url,
              method: "POST",
              headers: sent.headers,
              body: new TextEncoder().encode(JSON.stringify(body)),
            } as typeof sent,
          );
          const ref = CODECS[upstreamDialect].decodeResponse(await refRes.json());

          assertEquals(got.errors, 0, `${cell}: no error event`);
          const seen = answerMeaning(got.ir, ingress, true);
          assertEquals(seen, visibleTo(ingress, answerMeaning(ref, upstreamDialect, false)), cell);
          assertEquals(seen.calls.length, CASES[name].calls, `${cell}: tool calls`);
          if (name === "thinking") {
            assert(seen.reasoning.length > 0, `${cell}: reasoning`);
          }
          if (name !== "parallel_tools") assert(seen.text.length > 0, `${cell}: text`);

          await settled(h);
          const u = ref.usage!;
          const quota = expectedQuota({ input: u.inputTokens, output: u.outputTokens });
          assertEquals(before - await userQuota(h, s.userId), quota, `${cell}: charged`);
          const row = await queryOne(
            h.deps.db,
            "SELECT quota, prompt_tokens, completion_tokens FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
          );
          assertEquals(
            [asInt(row!.quota), asInt(row!.completion_tokens)],
            [quota, u.outputTokens],
            `${cell}: log`,
          );
        }
      }
    }
  });
}
