/**
 * The KV queue, shared by every kind of background message: one listener per handle dispatches each
 * message to the handler registered for its `kind` (two `listenQueue` calls on one handle would split
 * messages between them). Handlers own their retries; one that throws only gets the error logged.
 */
import { enqueue } from "./kv.ts";
import { log } from "../server/logger.ts";

export interface QueueMessage<T = unknown> {
  kind: string;
  body: T;
}

type Handler = (body: unknown) => Promise<void>;

export class QueueRouter {
  readonly #handlers = new Map<string, Handler>();

  /** Registers the handler for one kind of message (one handler per kind). */
  on<T>(kind: string, handler: (body: T) => Promise<void>): void {
    if (this.#handlers.has(kind)) throw new Error(`queue handler for "${kind}" registered twice`);
    this.#handlers.set(kind, handler as Handler);
  }

  /** Starts delivering; the promise settles when the KV handle closes. */
  listen(kv: Deno.Kv): Promise<void> {
    return kv.listenQueue(async (message: unknown) => {
      const { kind, body } = (message ?? {}) as Partial<QueueMessage>;
      const handler = kind ? this.#handlers.get(kind) : undefined;
      if (!handler) {
        log.warn("queue message with no handler dropped", { kind: String(kind) });
        return;
      }
      try {
        await handler(body);
      } catch (err) {
        log.error("queue handler failed", { kind, error: String(err) });
      }
    });
  }
}

/** Queues `body` for the handler of `kind`, after `delayMs` if given. */
export async function enqueueMessage<T>(kv: Deno.Kv, kind: string, body: T, delayMs = 0): Promise<void> {
  const message: QueueMessage<T> = { kind, body };
  await enqueue(kv, message, delayMs > 0 ? { delay: delayMs } : undefined);
}
