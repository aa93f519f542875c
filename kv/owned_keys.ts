/**
 * Keys of a KV that only this process writes (the embedded default: one process owns its SQLite store and
 * its local KV file). `updateKey` on such a handle applies the update to memory at once, which is exact
 * because no one else writes, and writes the new value behind to KV (coalesced per key, never awaited by
 * the caller), so limits and throttles survive a restart without a KV round trip on the request path.
 * A key is read from KV once, on its first update after start.
 */
import type { Update } from "./key_update.ts";
import { withKvRetry } from "./retry.ts";
import { timed } from "./timings.ts";
import { type KeyBackend, keyBackendOf, useKeyBackend } from "./key_backend.ts";

interface Entry {
  value: unknown;
  /** Epoch ms after which the value is gone (its TTL), Infinity when it has none. */
  expiresAt: number;
}

interface Pending {
  // deno-lint-ignore no-explicit-any
  update: Update<any, any>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Mutations per KV commit when writing behind (KV allows 1,000; values here are small). */
const WRITE_BATCH = 100;
/**
 * How long changes gather before they are written: a busy key changes hundreds of times a second, and
 * KV only needs its latest value (a crash forgets at most this much of a limit's history).
 */
const WRITE_DELAY_MS = 100;

/** A wait that does not keep the process alive (shutdown writes what is left through flush()). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => Deno.unrefTimer(setTimeout(resolve, ms)));
}

export class OwnedKeys implements KeyBackend {
  readonly #kv: Deno.Kv;
  readonly #entries = new Map<string, Entry>();
  /** Keys being read from KV, with the updates that arrived meanwhile. */
  readonly #loading = new Map<string, Pending[]>();
  /** Keys whose memory is newer than KV, and their KV key. */
  readonly #dirty = new Map<string, Deno.KvKey>();
  #writing: Promise<void> | null = null;
  /** Set by flush(): write what is dirty without waiting for more changes. */
  #flushing = false;
  #updates = 0;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  update<S, R>(key: Deno.KvKey, id: string, update: Update<S, R>): Promise<R> {
    const waiting = this.#loading.get(id);
    if (waiting) {
      return new Promise<R>((resolve, reject) =>
        waiting.push({ update, resolve: resolve as (v: unknown) => void, reject })
      );
    }
    if (!this.#entries.has(id)) {
      return new Promise<R>((resolve, reject) => {
        this.#loading.set(id, [{ update, resolve: resolve as (v: unknown) => void, reject }]);
        void this.#load(key, id);
      });
    }
    try {
      return Promise.resolve(this.#apply(key, id, update));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #load(key: Deno.KvKey, id: string): Promise<void> {
    let loaded: Entry | undefined;
    let error: unknown;
    try {
      const stored = await withKvRetry(() => timed("kv", "read", () => this.#kv.get(key)));
      loaded = { value: stored.value ?? undefined, expiresAt: Infinity };
    } catch (err) {
      error = err;
    }
    const waiting = this.#loading.get(id) ?? [];
    this.#loading.delete(id);
    if (loaded) this.#entries.set(id, loaded);
    for (const p of waiting) {
      if (!loaded) {
        p.reject(error);
        continue;
      }
      try {
        p.resolve(this.#apply(key, id, p.update));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  #apply<S, R>(key: Deno.KvKey, id: string, update: Update<S, R>): R {
    const now = Date.now();
    const entry = this.#entries.get(id)!;
    const before = entry.expiresAt > now ? entry.value as S | undefined : undefined;
    const applied = update(before, now);
    if (applied.state !== before) {
      const ttl = applied.expireInMs === undefined ? undefined : Math.max(1, Math.ceil(applied.expireInMs));
      this.#entries.set(id, {
        value: applied.state,
        expiresAt: applied.state === undefined || ttl === undefined ? Infinity : now + ttl,
      });
      this.#dirty.set(id, key);
      this.#writing ??= this.#writeBehind().finally(() => (this.#writing = null));
    }
    if (++this.#updates % 1024 === 0) this.#forgetExpired(now);
    return applied.result;
  }

  /** Drops expired values from memory (KV expires its copy by the same TTL). */
  #forgetExpired(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now && !this.#dirty.has(id)) this.#entries.delete(id);
    }
  }

  async #writeBehind(): Promise<void> {
    while (this.#dirty.size > 0) {
      if (!this.#flushing) await pause(WRITE_DELAY_MS);
      const batch = [...this.#dirty].slice(0, WRITE_BATCH);
      for (const [id] of batch) this.#dirty.delete(id);
      const op = this.#kv.atomic();
      const now = Date.now();
      for (const [id, key] of batch) {
        const entry = this.#entries.get(id);
        if (!entry || entry.value === undefined || entry.expiresAt <= now) op.delete(key);
        else {
          op.set(
            key,
            entry.value,
            entry.expiresAt === Infinity ? undefined : { expireIn: Math.max(1, entry.expiresAt - now) },
          );
        }
      }
      try {
        await withKvRetry(() => timed("kv", "write", () => op.commit()));
      } catch {
        // Keep them dirty for the next write unless a newer value is already waiting; memory stays right.
        for (const [id, key] of batch) if (!this.#dirty.has(id)) this.#dirty.set(id, key);
        await pause(1000);
      }
    }
  }

  /** Resolves once every value changed so far is in KV, or after `timeoutMs` (shutdown calls it). */
  async flush(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#flushing = true;
    while (this.#writing && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#writing,
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    this.#flushing = false;
  }

  close(): Promise<void> {
    return this.flush();
  }
}

/** Declares this process the only writer of `kv`'s keys updated through `updateKey`. */
export function ownKeys(kv: Deno.Kv): OwnedKeys {
  const keys = keyBackendOf(kv);
  if (keys instanceof OwnedKeys) return keys;
  return useKeyBackend(kv, new OwnedKeys(kv));
}

/** The owned-key store of `kv`, if this process declared itself its only writer. */
export function ownedKeysOf(kv: Deno.Kv): OwnedKeys | undefined {
  const keys = keyBackendOf(kv);
  return keys instanceof OwnedKeys ? keys : undefined;
}
