/**
 * The stream watcher for OpenAI endpoints without a codec (legacy `/v1/completions`): events pass through
 * unchanged; it reads usage and `choices[].text` (for the meter), hides a usage-only chunk the client did
 * not ask for, and ends a cut stream with an error event instead of `[DONE]`; data that is not an event
 * throws, as in the codecs. Same interface as the codecs' stream translators, so the stream answer treats
 * both alike.
 */
import type { SseEvent } from "../sse/event.ts";
import type { IrFinishReason, IrUsage } from "../formats/ir.ts";
import {
  errorFromStreamPayload,
  type RelayError,
  renderStreamError,
  truncatedStreamError,
} from "../formats/errors.ts";
import type { StreamHooks, StreamTranslator } from "../formats/translate.ts";
import { streamEventObject } from "../formats/upstream_body.ts";
import { fromOpenAiUsage } from "../billing/usage.ts";

export function openAiRawStream(includeUsage: boolean, hooks: StreamHooks = {}): StreamTranslator {
  let usage: IrUsage | undefined;
  let finishReason: IrFinishReason | undefined;
  let ended = false;
  let closed = false;
  let upstreamError: RelayError | undefined;
  let outputChars = 0;
  const fail = (err: RelayError): SseEvent[] => {
    if (closed) return [];
    closed = true;
    return renderStreamError("openai_chat", err);
  };
  return {
    push(event) {
      if (closed) return [];
      if (event.data === "[DONE]") {
        ended = true;
        closed = true;
        return [event];
      }
      const data = streamEventObject(event.data);
      if (!data) return [];
      if (data.error) {
        const raw = errorFromStreamPayload(data);
        upstreamError = hooks.sanitizeError ? hooks.sanitizeError(raw) : raw;
        hooks.observe?.({ type: "error", error: upstreamError });
        return fail(upstreamError);
      }
      if (data.usage && typeof data.usage === "object") {
        usage = { reasoningTokens: 0, ...fromOpenAiUsage(data.usage) } as IrUsage;
      }
      const choices = Array.isArray(data.choices) ? data.choices as Record<string, unknown>[] : [];
      for (const c of choices) {
        if (typeof c?.text === "string" && c.text) {
          outputChars += c.text.length;
          hooks.observe?.({ type: "text", text: c.text });
        }
        if (typeof c?.finish_reason === "string") finishReason = "stop";
      }
      if (choices.length === 0 && data.usage && !includeUsage) return [];
      return [event];
    },
    end() {
      if (closed) return [];
      if (finishReason === undefined) return fail(truncatedStreamError());
      closed = true;
      return [{ data: "[DONE]" }];
    },
    fail,
    get usage() {
      return usage;
    },
    get finishReason() {
      return finishReason;
    },
    get completed() {
      return ended || finishReason !== undefined;
    },
    get upstreamError() {
      return upstreamError;
    },
    get outputChars() {
      return outputChars;
    },
    get toolCalls() {
      return 0;
    },
  };
}
