/**
 * Where `updateKey` sends a KV handle's updates when the KV itself is not their source of truth: the
 * memory of a process that alone writes its keys (`owned_keys.ts`) or a shared Redis (`redis_keys.ts`).
 * Chosen once per handle at start; every limiter, lockout and throttle goes through `updateKey`, so
 * they follow without knowing which backend holds their keys.
 */
import type { Update } from "./key_update.ts";

export interface KeyBackend {
  /** Applies `update` to `key` atomically (`id` is the key's text form) and returns its result. */
  update<S, R>(key: Deno.KvKey, id: string, update: Update<S, R>): Promise<R>;
  /** Writes what is still pending and lets go of connections (shutdown). */
  close(): Promise<void>;
}

const backends = new WeakMap<Deno.Kv, KeyBackend>();

/** Routes the updates of `kv`'s keys to `backend` from now on (at most one backend per handle). */
export function useKeyBackend<B extends KeyBackend>(kv: Deno.Kv, backend: B): B {
  if (backends.has(kv)) throw new Error("this KV handle already has a key backend");
  backends.set(kv, backend);
  return backend;
}

/** The backend that holds `kv`'s updated keys, if it is not the KV itself. */
export function keyBackendOf(kv: Deno.Kv): KeyBackend | undefined {
  return backends.get(kv);
}
