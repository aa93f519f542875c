/**
 * Conformance matrix for requests: every ingress dialect × every upstream dialect × every case. The
 * upstream body must match its golden, and decoding it back must mean what the client sent (§5).
 */
import type { Dialect, IrRequest } from "../../../../relay/formats/ir.ts";
import { CODECS, translation } from "../../../../relay/formats/translate.ts";
import { assertEquals } from "../../../support/assert.ts";
import { DIALECTS, fixtureJson, GEMINI_CTX, JsonGolden, REQUEST_CASES, requestMeaning } from "./matrix.ts";

/** Claude drops thinking when the active tool loop has no signed block to replay (§5.8). */
function expectedReasoning(ir: IrRequest, upstream: Dialect): boolean | undefined {
  const r = ir.reasoning?.enabled;
  if (!r || upstream !== "claude") return r;
  const last = ir.messages.at(-1);
  const prev = ir.messages.filter((m) => m.role === "assistant").at(-1);
  const inLoop = last?.content.some((p) => p.type === "tool_result");
  const signed = prev?.content[0]?.type === "reasoning" && prev.content[0].origin === "claude";
  return inLoop && !signed ? undefined : true;
}

for (const name of REQUEST_CASES) {
  Deno.test(`request matrix: ${name}`, async (t) => {
    const golden = new JsonGolden(`${name}.request`);
    for (const ingress of DIALECTS) {
      for (const upstream of DIALECTS) {
        await t.step(`${ingress} → ${upstream}`, () => {
          const tr = translation(ingress, upstream, { forceTranslate: true });
          const sent = tr.decodeRequest(fixtureJson(ingress, `${name}.request`), GEMINI_CTX);
          const body = tr.encodeRequest(sent);
          golden.check(`${ingress}>${upstream}`, body);
          const seen = CODECS[upstream].decodeRequest(body, { ...GEMINI_CTX, model: sent.model });
          const keepIds = ingress !== "gemini" && upstream !== "gemini";
          assertEquals(
            requestMeaning(seen, upstream, keepIds),
            requestMeaning(sent, upstream, keepIds),
            "meaning",
          );
          assertEquals(seen.reasoning?.enabled, expectedReasoning(sent, upstream), "reasoning enabled");
        });
      }
    }
    golden.save();
  });
}
