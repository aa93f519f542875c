/**
 * Conformance matrix for non-stream answers: every upstream dialect × every client dialect. The client
 * body must match its golden, and what the client reads must be what the upstream said: text, reasoning,
 * calls with their ids and arguments, signatures (unwrapped from the client's slots), finish and usage.
 */
import type { Dialect } from "../../../../relay/formats/ir.ts";
import { CODECS, translation } from "../../../../relay/formats/translate.ts";
import { assertEquals } from "../../../support/assert.ts";
import {
  ANSWER_CASES,
  type AnswerMeaning,
  answerMeaning,
  DIALECTS,
  ENCODE_OPTS,
  fixtureJson,
  JsonGolden,
} from "./matrix.ts";

/** What survives into each client dialect: Chat has no signature slot, Claude no reasoning-token count. */
export function expectedFor(client: Dialect, m: AnswerMeaning): AnswerMeaning {
  const out = structuredClone(m);
  if (client === "openai_chat") out.signatures = [];
  if (client === "claude" && out.usage) out.usage.reasoning = 0;
  return out;
}

for (const name of ANSWER_CASES) {
  Deno.test(`answer matrix: ${name}`, async (t) => {
    const golden = new JsonGolden(`${name}.response`);
    for (const upstream of DIALECTS) {
      for (const client of DIALECTS) {
        await t.step(`${upstream} → ${client}`, () => {
          const fixture = fixtureJson(upstream, `${name}.response`);
          const { body, usage } = translation(client, upstream, { forceTranslate: true }).translateResponse(
            fixture,
            ENCODE_OPTS,
          );
          golden.check(`${upstream}>${client}`, body);
          const sent = answerMeaning(CODECS[upstream].decodeResponse(fixture), upstream, false);
          const read = answerMeaning(CODECS[client].decodeResponse(body), client, true);
          assertEquals(read, expectedFor(client, sent));
          assertEquals(usage, CODECS[upstream].decodeResponse(fixture).usage, "billed usage");
        });
      }
    }
    golden.save();
  });
}
