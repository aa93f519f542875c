/** What the fake upstream remembers about each request, so tests can assert on what reached it. */

import type { Fault } from "./faults.ts";

export class RecordedRequest {
  /** `performance.now()` when the client closed the connection before the answer was complete. */
  clientClosedAt?: number;
  /** `performance.now()` when the response headers were handed to the server. */
  respondedAt?: number;
  /** `performance.now()` when the last body byte was handed to the server (streams: after the last event). */
  finishedAt?: number;
  status?: number;
  /** The client's TCP port: equal ports on two requests mean a reused keep-alive connection. */
  remotePort?: number;
  /** The fault that was applied (merged from all sources). */
  fault: Fault = {};
  readonly #closed = Promise.withResolvers<number>();
  #json: unknown;
  #parsed = false;

  constructor(
    readonly id: number,
    readonly method: string,
    readonly url: URL,
    readonly headers: Headers,
    readonly body: Uint8Array<ArrayBuffer>,
    readonly receivedAt: number,
  ) {}

  get path(): string {
    return this.url.pathname;
  }

  get text(): string {
    return new TextDecoder().decode(this.body);
  }

  /** The body as JSON (undefined when it is not JSON). */
  // deno-lint-ignore no-explicit-any
  get json(): any {
    if (!this.#parsed) {
      this.#parsed = true;
      try {
        this.#json = JSON.parse(this.text);
      } catch {
        this.#json = undefined;
      }
    }
    return this.#json;
  }

  /** Called by the server when it notices the client went away early; only the first call counts. */
  markClientClosed(): void {
    if (this.clientClosedAt !== undefined || this.finishedAt !== undefined) return;
    this.clientClosedAt = performance.now();
    this.#closed.resolve(this.clientClosedAt);
  }

  /** Resolves with the close time, or rejects after `timeoutMs` if the client never closed early. */
  waitForClientClose(timeoutMs = 2000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<number>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`client did not close ${this.path} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([this.#closed.promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** A plain summary (for the `/__fake/requests` control endpoint and debugging). */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      method: this.method,
      path: this.path,
      search: this.url.search,
      headers: Object.fromEntries(this.headers),
      body: this.text.length > 65536 ? `${this.text.slice(0, 65536)}…` : this.text,
      status: this.status,
      remotePort: this.remotePort,
      receivedAt: this.receivedAt,
      respondedAt: this.respondedAt,
      finishedAt: this.finishedAt,
      clientClosedAt: this.clientClosedAt,
      fault: this.fault,
    };
  }
}
