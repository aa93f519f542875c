/**
 * Reads and writes SSE transcripts for golden tests. Test-only and deliberately minimal (LF, `event:` and
 * `data:` fields): the relay's real parser lives in relay/sse/.
 */
import type { SseEvent } from "../../relay/sse/event.ts";

export function parseSseTranscript(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\n\n+/)) {
    const ev: { event?: string; data: string[] } = { data: [] };
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) ev.event = line.slice(6).trim();
      else if (line.startsWith("data:")) ev.data.push(line.slice(5).replace(/^ /, ""));
    }
    if (ev.data.length) events.push({ ...(ev.event ? { event: ev.event } : {}), data: ev.data.join("\n") });
  }
  return events;
}

export function writeSseTranscript(events: SseEvent[]): string {
  return events.map((e) => `${e.event ? `event: ${e.event}\n` : ""}data: ${e.data}\n\n`).join("");
}

export function readSseFixture(path: string): SseEvent[] {
  return parseSseTranscript(Deno.readTextFileSync(path));
}
