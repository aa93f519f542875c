/**
 * Keeps the catalog coherent: a writer calls `publish(change)` after committing; the change is applied
 * to this process at once and sent to every other instance: with NOTIFY on PostgreSQL, through the polled
 * `cache_changes` feed on MySQL (change_feed.ts); SQLite has one process. A full reload every
 * SYNC_FREQUENCY seconds is the fallback for anything missed (e.g. a dropped LISTEN connection).
 */
import type { Db } from "../db.ts";
import type { Catalog } from "./catalog.ts";
import { ChangeFeed } from "./change_feed.ts";
import { log } from "../../server/logger.ts";

export type CacheChange =
  | { kind: "token"; id: number }
  | { kind: "user"; id: number }
  | { kind: "channel"; id: number }
  | { kind: "options" }
  | { kind: "all" };

export interface CacheSyncOptions {
  /** Seconds between full reloads. */
  syncFrequencySeconds: number;
  /** Milliseconds between reads of the change feed (MySQL only). */
  pollIntervalMs: number;
}

/** How instances tell each other about changes. */
interface ChangeChannel {
  send(message: string): Promise<void>;
  subscribe(onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

const CHANNEL = "newapi_cache";

/** PostgreSQL: LISTEN/NOTIFY; MySQL: the polled change feed; SQLite: none (one process owns the file). */
function changeChannelFor(db: Db, pollIntervalMs: number): ChangeChannel | undefined {
  const { listen, notify } = db;
  if (listen && notify) {
    return { send: (m) => notify.call(db, CHANNEL, m), subscribe: (fn) => listen.call(db, CHANNEL, fn) };
  }
  if (db.dialect === "mysql") return new ChangeFeed(db, pollIntervalMs);
  return undefined;
}

export class CacheSync {
  readonly #origin = crypto.randomUUID();
  readonly #channel?: ChangeChannel;
  #timer?: ReturnType<typeof setInterval>;
  #unsubscribe?: () => Promise<void>;
  #listeners = new Set<(change: CacheChange) => void>();
  /** Settles when the first full load has; changes heard before then are applied after it. */
  #loaded?: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    private readonly options: CacheSyncOptions,
  ) {
    this.#channel = changeChannelFor(db, options.pollIntervalMs);
  }

  /**
   * Subscribes to other instances' changes, then loads everything (so nothing committed between the two is
   * missed), and starts the periodic resync.
   */
  async start(): Promise<void> {
    const loaded = Promise.withResolvers<void>();
    this.#loaded = loaded.promise;
    try {
      this.#unsubscribe = await this.#channel?.subscribe((message) => {
        try {
          const { origin, change } = JSON.parse(message) as { origin: string; change: CacheChange };
          if (origin !== this.#origin) void this.#apply(change);
        } catch {
          log.warn("ignored a malformed cache notification");
        }
      });
      await this.catalog.loadAll();
      loaded.resolve();
    } catch (err) {
      loaded.reject(err);
      await this.#unsubscribe?.().catch(() => {});
      throw err;
    }
    const timer = setInterval(() => {
      this.catalog.loadAll().catch((err) => log.error("cache resync failed", { error: String(err) }));
    }, this.options.syncFrequencySeconds * 1000);
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
      await this.#loaded;
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
    await this.#channel?.send(JSON.stringify({ origin: this.#origin, change })).catch((err) =>
      log.warn("cache change not sent; other instances catch up at the next resync", { error: String(err) })
    );
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#unsubscribe?.().catch(() => {});
  }
}
