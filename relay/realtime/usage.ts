/**
 * Realtime usage: a `response.done` event's `response.usage` mapped onto the billable counters, and the
 * running sum over a session. New API's rule (`calculateAudioQuota`): input text + input audio × audio
 * ratio + output text × completion ratio + output audio × audio ratio × audio completion ratio, all ×
 * model ratio × group ratio; cached input is charged as input (New API gives realtime no cache rate).
 */
import type { BillableUsage } from "../billing/usage.ts";
import { clampCount } from "../billing/quota_math.ts";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? v as Json : {});
const num = (v: unknown) => clampCount(v).count;

/** The usage of one response (`response.done`), or undefined when it carries none. */
export function fromRealtimeUsage(raw: unknown): BillableUsage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const u = obj(raw);
  const inD = obj(u.input_token_details);
  const outD = obj(u.output_token_details);
  const audioIn = num(inD.audio_tokens);
  const audioOut = num(outD.audio_tokens);
  // The details are the parts; a total smaller than its parts is taken from the parts.
  const input = Math.max(num(u.input_tokens), num(inD.text_tokens) + audioIn);
  const output = Math.max(num(u.output_tokens), num(outD.text_tokens) + audioOut);
  return {
    inputTokens: input,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: output,
    audioInputTokens: audioIn,
    audioOutputTokens: audioOut,
    semantic: "openai",
  };
}

export function emptyUsage(): BillableUsage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    semantic: "openai",
  };
}

/** `sum + add`, counter by counter. */
export function addUsage(sum: BillableUsage, add: BillableUsage): BillableUsage {
  return {
    inputTokens: sum.inputTokens + add.inputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: sum.outputTokens + add.outputTokens,
    audioInputTokens: (sum.audioInputTokens ?? 0) + (add.audioInputTokens ?? 0),
    audioOutputTokens: (sum.audioOutputTokens ?? 0) + (add.audioOutputTokens ?? 0),
    semantic: "openai",
  };
}
