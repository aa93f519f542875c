/**
 * Conformance matrix for streams: real-shaped upstream SSE through decode → encode for every client
 * dialect. The exact output events match their golden transcript; decoding them as the client would
 * gives the upstream's text, reasoning, calls (argument deltas in order, right indices), signatures,
 * finish and usage; there is exactly one terminator and no error event.
 */
import type { SseEvent } from "../../../../relay/sse/event.ts";
import type { Dialect } from "../../../../relay/formats/ir.ts";
import { translation } from "../../../../relay/formats/translate.ts";
import { assert, assertEquals } from "../../../support/assert.ts";
import { writeSseTranscript } from "../../../support/sse_fixture.ts";
import { expectedFor } from "./answer_matrix_test.ts";
import {
  ANSWER_CASES,
  answerMeaning,
  checkSseGolden,
  collectStream,
  DIALECTS,
  ENCODE_OPTS,
  fixtureStream,
} from "./matrix.ts";

function terminators(client: Dialect, events: SseEvent[]): number {
  return events.filter((e) =>
    client === "openai_chat"
      ? e.data === "[DONE]"
      : client === "claude"
      ? e.event === "message_stop"
      : client === "openai_responses"
      ? e.event === "response.completed" || e.event === "response.incomplete"
      : e.data.includes('"finishReason"')
  ).length;
}

for (const name of ANSWER_CASES) {
  Deno.test(`stream matrix: ${name}`, async (t) => {
    for (const upstream of DIALECTS) {
      for (const client of DIALECTS) {
        await t.step(`${upstream} → ${client}`, () => {
          const input = fixtureStream(upstream, name);
          const tr = translation(client, upstream, { forceTranslate: true }).streamTranslator(ENCODE_OPTS);
          const out = [...input.flatMap((e) => tr.push(e)), ...tr.end()];
          checkSseGolden(`${name}/${upstream}_to_${client}`, writeSseTranscript(out));
          assertEquals(terminators(client, out), 1, "one terminator");
          const sent = collectStream(upstream, input);
          const read = collectStream(client, out);
          assertEquals(read.errors, 0, "no error events");
          assertEquals(
            answerMeaning(read.ir, client, true),
            expectedFor(client, answerMeaning(sent.ir, upstream, false)),
          );
          assertEquals(tr.usage, sent.ir.usage, "usage for billing");
          assert(tr.completed, "upstream completed");
          if (client === "openai_responses") {
            const seq = out.map((e) => JSON.parse(e.data).sequence_number);
            assertEquals(seq, seq.map((_, i) => i), "gapless sequence_number");
          }
        });
      }
    }
  });

  Deno.test(`stream matrix: ${name} passes through unchanged between equal dialects`, () => {
    for (const d of DIALECTS) {
      const input = fixtureStream(d, name);
      const tr = translation(d, d).streamTranslator({ includeUsage: true });
      const out = [...input.flatMap((e) => tr.push(e)), ...tr.end()];
      assertEquals(out, input, d);
      assertEquals(tr.usage, collectStream(d, input).ir.usage, `${d} usage`);
    }
  });
}
