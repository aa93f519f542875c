/**
 * What a stream client sees of the upstream's events beyond the translator: with usage forced upstream,
 * OpenAI adds `"usage":null` to every chunk, which a client that did not ask for usage does not get.
 */
import type { RelayCtx } from "./context.ts";
import type { Attempt } from "./attempt.ts";
import type { SseEvent } from "../sse/event.ts";
import type { StreamTranslator } from "../formats/translate.ts";
import { editTopLevel } from "./json_edit.ts";

/** The filter for a pass-through OpenAI stream whose client did not ask for usage, else undefined. */
export function hideForcedUsage(ctx: RelayCtx, a: Attempt): ((out: SseEvent[]) => SseEvent[]) | undefined {
  const passthrough = !a.plan.translation || a.plan.translation.passthrough;
  if (!passthrough || a.plan.upstreamDialect !== "openai_chat" || ctx.parsed!.includeUsage) return undefined;
  return (out) =>
    out.map((ev) =>
      ev.data.includes('"usage":null') ? { ...ev, data: editTopLevel(ev.data, { usage: undefined }) } : ev
    );
}

/** The translator with its pushed output passed through `filter`. */
export function filtered(inner: StreamTranslator, filter: (out: SseEvent[]) => SseEvent[]): StreamTranslator {
  return {
    push: (ev) => filter(inner.push(ev)),
    end: () => inner.end(),
    fail: (err) => inner.fail(err),
    get usage() {
      return inner.usage;
    },
    get finishReason() {
      return inner.finishReason;
    },
    get completed() {
      return inner.completed;
    },
    get upstreamError() {
      return inner.upstreamError;
    },
    get outputChars() {
      return inner.outputChars;
    },
    get toolCalls() {
      return inner.toolCalls;
    },
  };
}
