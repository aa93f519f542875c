/**
 * Realtime test helpers: a priced realtime model (text 1, completion 4, audio in 8, audio out 8 × 2, ×
 * model ratio 2.5), a client on a raw WebSocket that collects events and waits for one, and New API's
 * realtime formula over `response.done` usages.
 */
export const RT_MODEL = "gpt-4o-realtime-preview";

/** Text 1, completion 4, audio in 8, audio out 8 × 2, all × model ratio 2.5. */
export const RT_PRICES: Record<string, string> = {
  ModelRatio: JSON.stringify({ [RT_MODEL]: 2.5 }),
  CompletionRatio: JSON.stringify({ [RT_MODEL]: 4 }),
  AudioRatio: JSON.stringify({ [RT_MODEL]: 8 }),
  AudioCompletionRatio: JSON.stringify({ [RT_MODEL]: 2 }),
  PreConsumedQuota: "100",
};

// deno-lint-ignore no-explicit-any
type Event = any;

/** A realtime client on a raw WebSocket: events as they come, and a way to wait for one. */
export class RealtimeClient {
  readonly events: Event[] = [];
  readonly closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];
  constructor(readonly socket: WebSocket) {
    socket.onmessage = (m) => {
      this.events.push(JSON.parse(String(m.data)));
      for (const w of this.#waiters.splice(0)) w();
    };
    this.closed = new Promise((resolve) => socket.addEventListener("close", (e) => resolve(e)));
  }
  static async open(url: string, init: { headers?: Record<string, string>; protocols?: string[] }) {
    const options = { headers: init.headers, protocols: init.protocols } as unknown as string[];
    const ws = new WebSocket(url, options);
    const c = new RealtimeClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("handshake refused"));
    });
    return c;
  }
  send(event: Event): void {
    this.socket.send(JSON.stringify(event));
  }
  /** The `n`-th event (1-based) of `type`, waiting for it. */
  async next(type: string, n = 1, timeoutMs = 5000): Promise<Event> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.filter((e) => e.type === type);
      if (found.length >= n) return found[n - 1];
      if (Date.now() > until) throw new Error(`no ${type} #${n}; saw ${this.events.map((e) => e.type)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** New API's realtime formula at RT_PRICES, over a sum of `response.done` usages. */
export function expectedRealtimeQuota(usages: Event[]): number {
  let textIn = 0, audioIn = 0, textOut = 0, audioOut = 0;
  for (const u of usages) {
    audioIn += u.input_token_details.audio_tokens;
    textIn += u.input_tokens - u.input_token_details.audio_tokens;
    audioOut += u.output_token_details.audio_tokens;
    textOut += u.output_tokens - u.output_token_details.audio_tokens;
  }
  return Math.round((textIn + audioIn * 8 + textOut * 4 + audioOut * 8 * 2) * 2.5);
}
