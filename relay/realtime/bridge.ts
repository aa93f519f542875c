/**
 * One realtime session's event pipe between the client's WebSocket and the upstream's: every event goes
 * through unchanged both ways, with a bounded buffer per direction (events the upstream sends before the
 * client's socket is open, and each socket's unsent bytes): past the bound the session ends with an
 * `error` event rather than growing. `response.done` events are handed to `onResponseDone` in order
 * (billing); when it says the wallet is spent the session ends with an `insufficient_user_quota` error
 * event. The session also ends on either side's close, on `idleMs` without an event either way, on an
 * oversized message, and at shutdown. It ends once: both sockets closed, then `onEnd(reason)`.
 */
import type { BillableUsage } from "../billing/usage.ts";
import { fromRealtimeUsage } from "./usage.ts";

export type EndReason =
  | "client_closed"
  | "upstream_closed"
  | "upstream_error"
  | "idle_timeout"
  | "buffer_overflow"
  | "message_too_large"
  | "insufficient_quota"
  | "shutdown";

export interface BridgeOptions {
  idleMs: number;
  /** Bytes allowed to wait per direction (queued before the client is open, or unsent on a socket). */
  maxBufferedBytes: number;
  /** The largest single event accepted from either side. */
  maxMessageBytes: number;
  /** Bills one response; false ends the session (the wallet cannot cover it). */
  onResponseDone(usage: BillableUsage | undefined): Promise<boolean>;
  onEnd(reason: EndReason): void | Promise<void>;
  shutdown: AbortSignal;
}

export type Frame = string | ArrayBuffer | Blob | ArrayBufferView;

const size = (m: Frame): number =>
  typeof m === "string" ? m.length * 3 : m instanceof Blob ? m.size : (m as ArrayBuffer).byteLength;

const MESSAGES: Partial<Record<EndReason, { code: string; message: string; close: number }>> = {
  upstream_error: { code: "upstream_error", message: "The upstream realtime connection failed", close: 1011 },
  idle_timeout: {
    code: "session_idle_timeout",
    message: "No event in either direction: session closed",
    close: 1000,
  },
  buffer_overflow: {
    code: "buffer_overflow",
    message: "Events arrived faster than they could be delivered: session closed",
    close: 1013,
  },
  message_too_large: { code: "message_too_large", message: "An event exceeded the size limit", close: 1009 },
  insufficient_quota: {
    code: "insufficient_user_quota",
    message: "Your quota is used up: the realtime session is closed",
    close: 1008,
  },
  shutdown: { code: "server_shutting_down", message: "The gateway is restarting: reconnect", close: 1001 },
};

/** The `error` event the client is sent when the gateway ends its session. */
export function errorEvent(code: string, message: string): string {
  return JSON.stringify({
    type: "error",
    event_id: `event_gw_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    error: {
      type: code === "insufficient_user_quota" ? "insufficient_quota" : "server_error",
      code,
      message,
    },
  });
}

export class RealtimeBridge {
  readonly #client: WebSocket;
  readonly #upstream: WebSocket;
  readonly #o: BridgeOptions;
  #pending: Frame[] = [];
  #pendingBytes = 0;
  #ended = false;
  #idle?: ReturnType<typeof setTimeout>;
  /** Responses billed one after another, in arrival order. */
  #billing: Promise<unknown> = Promise.resolve();
  readonly #onShutdown = () => this.end("shutdown");

  /**
   * Starts piping; `upstream` is open, `client` may still be connecting. `early` are the upstream's
   * events that arrived before the bridge existed (Deno dispatches socket events from promise jobs, so
   * `session.created` can come right behind `open`).
   */
  constructor(client: WebSocket, upstream: WebSocket, o: BridgeOptions, early: Frame[] = []) {
    this.#client = client;
    this.#upstream = upstream;
    this.#o = o;
    client.binaryType = upstream.binaryType = "arraybuffer";
    upstream.onmessage = (e) => this.#fromUpstream(e.data);
    upstream.onclose = (e) =>
      this.end(e.code === 1000 || e.code === 1001 ? "upstream_closed" : "upstream_error");
    upstream.onerror = () => this.end("upstream_error");
    client.onopen = () => this.#flush();
    client.onmessage = (e) => this.#fromClient(e.data);
    client.onclose = () => this.end("client_closed");
    client.onerror = () => this.end("client_closed");
    o.shutdown.addEventListener("abort", this.#onShutdown, { once: true });
    if (o.shutdown.aborted) queueMicrotask(this.#onShutdown);
    this.#touch();
    for (const m of early) this.#fromUpstream(m);
  }

  get ended(): boolean {
    return this.#ended;
  }

  #touch(): void {
    if (this.#ended) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.end("idle_timeout"), this.#o.idleMs);
  }

  #fromClient(data: Frame): void {
    if (this.#ended) return;
    this.#touch();
    if (size(data) > this.#o.maxMessageBytes) return this.end("message_too_large");
    if (this.#upstream.bufferedAmount > this.#o.maxBufferedBytes) return this.end("buffer_overflow");
    this.#upstream.send(data as string);
  }

  #fromUpstream(data: Frame): void {
    if (this.#ended) return;
    this.#touch();
    if (size(data) > this.#o.maxMessageBytes) return this.end("message_too_large");
    this.#toClient(data);
    // Only a response's end carries usage: a cheap test first, audio deltas are never parsed.
    if (typeof data === "string" && data.includes('"response.done"')) this.#responseDone(data);
  }

  #toClient(data: Frame): void {
    if (this.#client.readyState !== WebSocket.OPEN) {
      this.#pendingBytes += size(data);
      if (this.#pendingBytes > this.#o.maxBufferedBytes) return this.end("buffer_overflow");
      this.#pending.push(data);
      return;
    }
    if (this.#client.bufferedAmount > this.#o.maxBufferedBytes) return this.end("buffer_overflow");
    this.#client.send(data as string);
  }

  #flush(): void {
    const queued = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const m of queued) if (!this.#ended) this.#client.send(m as string);
  }

  #responseDone(text: string): void {
    let event: { type?: unknown; response?: { usage?: unknown } };
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (event?.type !== "response.done") return;
    const usage = fromRealtimeUsage(event.response?.usage);
    this.#billing = this.#billing.then(() => this.#o.onResponseDone(usage)).then((ok) => {
      if (!ok) this.end("insufficient_quota");
    }, () => this.end("insufficient_quota"));
  }

  /** Ends the session once: the client hears why (unless it left), both sockets close, then `onEnd`. */
  end(reason: EndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#idle);
    this.#o.shutdown.removeEventListener("abort", this.#onShutdown);
    const said = MESSAGES[reason];
    const client = this.#client;
    if (client.readyState === WebSocket.OPEN) {
      try {
        if (said) client.send(errorEvent(said.code, said.message));
        client.close(said?.close ?? 1000, said ? said.code : "");
      } catch { /* already closing */ }
    } else if (client.readyState === WebSocket.CONNECTING) {
      client.onopen = () => {
        if (said) client.send(errorEvent(said.code, said.message));
        client.close(said?.close ?? 1000, said ? said.code : "");
      };
    }
    const up = this.#upstream;
    if (up.readyState === WebSocket.OPEN || up.readyState === WebSocket.CONNECTING) {
      try {
        up.close(1000);
      } catch { /* already closing */ }
    }
    // Billing of responses already seen finishes before the session is settled.
    this.#billing.finally(() => this.#o.onEnd(reason));
  }
}
