/**
 * The fake upstream's Realtime API: a WebSocket at `/v1/realtime?model=` (OpenAI, Bearer key) and
 * `/openai/realtime?api-version=&deployment=` (Azure, `api-key`), speaking OpenAI's realtime event protocol
 * (beta shape): `session.created` on open, `session.update` → `session.updated`, `conversation.item.create`
 * → `conversation.item.created`, `input_audio_buffer.append`/`commit`, `response.create` → `response.created`,
 * output item and content part events, text or audio (+ transcript) deltas, `response.done` with usage.
 *
 * Usage is deterministic: input text tokens are the tokens of every text item in the conversation, input
 * audio tokens one per 50 bytes of audio appended so far, output text tokens those of the reply, output
 * audio tokens 5 per reply word when the response has the audio modality. A text item containing
 * `[fake:close]` makes the fake close the socket right after that response's `response.done`;
 * `[fake:nousage]` sends `response.done` without usage.
 */
import { countTokens, hashText, hexId, replyWords, wordPieces } from "./content.ts";

export interface RealtimeFakeState {
  /** Sessions opened, and those whose socket has closed (either side). */
  opened: number;
  closed: number;
  /** Every client event type received, in order, across sessions. */
  received: string[];
  /** Handshake headers of each session, in order. */
  handshakes: { url: URL; headers: Headers }[];
}

export function newRealtimeState(): RealtimeFakeState {
  return { opened: 0, closed: 0, received: [], handshakes: [] };
}

/** The realtime route a path names, or undefined. */
export function realtimeRoute(url: URL): "openai" | "azure" | undefined {
  if (url.pathname === "/v1/realtime") return "openai";
  if (url.pathname === "/openai/realtime") return "azure";
  return undefined;
}

interface Usage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: {
    cached_tokens: number;
    text_tokens: number;
    audio_tokens: number;
    cached_tokens_details: { text_tokens: number; audio_tokens: number };
  };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

/** The usage of one response, by the rules above. */
export function realtimeUsage(inputText: string[], audioBytes: number, reply: string, audio: boolean): Usage {
  const textIn = inputText.reduce((n, t) => n + countTokens(t), 0);
  const audioIn = Math.ceil(audioBytes / 50);
  const textOut = countTokens(reply);
  const audioOut = audio ? reply.split(" ").filter(Boolean).length * 5 : 0;
  return {
    total_tokens: textIn + audioIn + textOut + audioOut,
    input_tokens: textIn + audioIn,
    output_tokens: textOut + audioOut,
    input_token_details: {
      cached_tokens: 0,
      text_tokens: textIn,
      audio_tokens: audioIn,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0 },
    },
    output_token_details: { text_tokens: textOut, audio_tokens: audioOut },
  };
}

/** Upgrades `req` and plays one realtime session on the socket. */
export function realtimeSession(req: Request, url: URL, state: RealtimeFakeState): Response {
  const route = realtimeRoute(url)!;
  const model = route === "azure" ? url.searchParams.get("deployment") : url.searchParams.get("model");
  // Headers can no longer be read once the request is upgraded.
  state.handshakes.push({ url, headers: new Headers(req.headers) });
  const { socket, response } = Deno.upgradeWebSocket(req);
  const texts: string[] = [];
  let audioBytes = 0;
  let eventNo = 0;
  let modalities = ["text", "audio"];
  const sessionId = `sess_${hexId(hashText(String(Math.random())), 16)}`;
  const send = (event: Record<string, unknown>) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ event_id: `event_${++eventNo}`, ...event }));
  };
  const session = () => ({
    id: sessionId,
    object: "realtime.session",
    model,
    modalities,
    voice: "alloy",
    input_audio_format: "pcm16",
    output_audio_format: "pcm16",
    turn_detection: null,
    tools: [],
  });
  socket.onopen = () => {
    state.opened++;
    send({ type: "session.created", session: session() });
  };
  socket.onclose = () => state.closed++;
  socket.onmessage = (m) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(String(m.data));
    } catch {
      send({
        type: "error",
        error: { type: "invalid_request_error", code: "invalid_json", message: "bad JSON" },
      });
      return;
    }
    const type = String(event.type);
    state.received.push(type);
    switch (type) {
      case "session.update": {
        const s = event.session as { modalities?: string[] } | undefined;
        if (Array.isArray(s?.modalities)) modalities = s.modalities;
        send({ type: "session.updated", session: session() });
        return;
      }
      case "conversation.item.create": {
        const item = (event.item ?? {}) as { content?: { text?: string }[] };
        for (const part of item.content ?? []) if (typeof part.text === "string") texts.push(part.text);
        send({
          type: "conversation.item.created",
          previous_item_id: null,
          item: { id: `item_${eventNo}`, ...item },
        });
        return;
      }
      case "input_audio_buffer.append":
        audioBytes += atob(String(event.audio ?? "")).length;
        return;
      case "input_audio_buffer.commit":
        send({ type: "input_audio_buffer.committed", previous_item_id: null, item_id: `item_${eventNo}` });
        return;
      case "response.create":
        respond(event.response as { modalities?: string[] } | undefined);
        return;
      default:
        send({
          type: "error",
          error: { type: "invalid_request_error", code: "unknown_event", message: `Unknown event ${type}` },
        });
    }
  };

  const respond = (options: { modalities?: string[] } | undefined) => {
    const audio = (options?.modalities ?? modalities).includes("audio");
    const last = texts.at(-1) ?? "";
    const seed = hashText(`${texts.join("|")}|${audioBytes}`);
    const words = replyWords(last, seed, 6);
    const reply = words.join(" ");
    const id = `resp_${hexId(seed, 16)}`;
    const itemId = `item_${hexId(seed ^ 1, 16)}`;
    const base = { response_id: id, item_id: itemId, output_index: 0, content_index: 0 };
    send({
      type: "response.created",
      response: { id, object: "realtime.response", status: "in_progress", output: [] },
    });
    send({
      type: "response.output_item.added",
      response_id: id,
      output_index: 0,
      item: { id: itemId, type: "message" },
    });
    send({ type: "response.content_part.added", ...base, part: { type: audio ? "audio" : "text" } });
    for (const piece of wordPieces(words)) {
      if (audio) {
        send({ type: "response.audio_transcript.delta", ...base, delta: piece });
        send({ type: "response.audio.delta", ...base, delta: btoa(piece.repeat(8)) });
      } else send({ type: "response.text.delta", ...base, delta: piece });
    }
    if (audio) {
      send({ type: "response.audio_transcript.done", ...base, transcript: reply });
      send({ type: "response.audio.done", ...base });
    } else send({ type: "response.text.done", ...base, text: reply });
    send({ type: "response.content_part.done", ...base });
    send({ type: "response.output_item.done", response_id: id, output_index: 0, item: { id: itemId } });
    const noUsage = texts.some((t) => t.includes("[fake:nousage]"));
    const usage = realtimeUsage(texts, audioBytes, reply, audio);
    send({
      type: "response.done",
      response: { id, object: "realtime.response", status: "completed", usage: noUsage ? null : usage },
    });
    if (last.includes("[fake:close]")) socket.close(1000, "fake closes");
  };
  return response;
}
