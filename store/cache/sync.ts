/**
 * Keeps the catalog coherent: a writer calls `publish(change)` after committing; the change is applied
 * to this process at once and, on PostgreSQL, sent to every other instance with NOTIFY. A full reload
 * every SYNC_FREQUENCY seconds is the fallback for anything missed (e.g. a dropped LISTEN connection).
 */
import type { Db } from "../db.ts";
import type { Catalog } from "./catalog.ts";
import { log } from "../../server/logger.ts";

export type CacheChange =
  | { kind: "token"; id: number }
  | { kind: "user"; id: number }
  | { kind: "channel"; id: number }
  | { kind: "options" }
  | { kind: "all" };

const CHANNEL = "newapi_cache";

export class CacheSync {
  readonly #origin = crypto.randomUUID();
  #timer?: ReturnType<typeof setInterval>;
  #unlisten?: () => Promise<void>;
  #listeners = new Set<(change: CacheChange) => void>();

  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    private readonly syncFrequencySeconds: number,
  ) {}

  /** Loads everything, subscribes to other instances' changes and starts the periodic resync. */
  async start(): Promise<void> {
    await this.catalog.loadAll();
    if (this.db.listen) {
      this.#unlisten = await this.db.listen(CHANNEL, (payload) => {
        try {
          const { origin, change } = JSON.parse(payload) as { origin: string; change: CacheChange };
          if (origin !== this.#origin) void this.#apply(change);
        } catch {
          log.warn("ignored a malformed cache notification");
        }
      });
    }
    const timer = setInterval(() => {
      this.catalog.loadAll().catch((err) => log.error("cache resync failed", { error: String(err) }));
    }, this.syncFrequencySeconds * 1000);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Observers (e.g. tests, or modules with their own derived caches) hear every applied change. */
  onChange(fn: (change: CacheChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async #apply(change: CacheChange): Promise<void> {
    try {
      switch (change.kind) {
        case "token":
          await this.catalog.reloadToken(change.id);
          break;
        case "user":
          await this.catalog.reloadUser(change.id);
          break;
        case "channel":
          await this.catalog.reloadChannel(change.id);
          break;
        case "options":
          await this.catalog.reloadOptions();
          break;
        case "all":
          await this.catalog.loadAll();
          break;
      }
    } catch (err) {
      log.error("cache update failed", { kind: change.kind, error: String(err) });
    }
    for (const fn of this.#listeners) fn(change);
  }

  /** Applies a committed change here and tells the other instances. */
  async publish(change: CacheChange): Promise<void> {
    await this.#apply(change);
    if (this.db.notify) {
      await this.db.notify(CHANNEL, JSON.stringify({ origin: this.#origin, change })).catch((err) =>
        log.warn("cache notify failed; other instances catch up at the next resync", { error: String(err) })
      );
    }
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#unlisten?.().catch(() => {});
  }
}
