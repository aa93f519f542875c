/**
 * One server-sent event as the wire carries it. The SSE parser produces these from upstream bytes, the
 * SSE writer turns them back into bytes, and the format codecs translate them between dialects.
 */
export interface SseEvent {
  /** The `event:` field (Claude and Responses name their events; OpenAI Chat and Gemini do not). */
  event?: string;
  /** The `data:` field, lines joined with "\n" (for OpenAI Chat, "[DONE]" ends the stream). */
  data: string;
  id?: string;
  retry?: number;
}
