/**
 * Read-modify-write of one KV key, coalesced per process: concurrent updates of a key queue behind one
 * in-flight commit and are applied together in the next, so a burst on one key costs a couple of KV
 * round trips instead of one contended check/set loop per caller. Every commit checks the versionstamp
 * it read, so updates stay exact across handles and processes that share the same KV.
 */
import { withKvRetry } from "./retry.ts";

/** What an update returns: the new state (`undefined` deletes the key), its result, and a TTL. */
export interface Applied<S, R> {
  state: S | undefined;
  result: R;
  /** Time to live of the stored value in ms; omitted means no expiry. */
  expireInMs?: number;
}

/**
 * A pure step over the key's current state; it may run more than once if a commit loses a race. It must
 * not mutate `state`: return a new object to change it, or the same one to leave the key untouched.
 */
export type Update<S, R> = (state: S | undefined, now: number) => Applied<S, R>;

interface Pending {
  // deno-lint-ignore no-explicit-any
  update: Update<any, any>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Per handle, per key: the updates waiting for the next commit (present while a flusher runs). */
const waiting = new WeakMap<Deno.Kv, Map<string, Pending[]>>();

function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key, (_k, v) => typeof v === "bigint" ? `${v}n` : v);
}

/** Applies `update` to the value at `key` atomically and returns its result. */
export function updateKey<S, R>(kv: Deno.Kv, key: Deno.KvKey, update: Update<S, R>): Promise<R> {
  let byKey = waiting.get(kv);
  if (!byKey) waiting.set(kv, byKey = new Map());
  return new Promise<R>((resolve, reject) => {
    const pending: Pending = { update, resolve: resolve as (v: unknown) => void, reject };
    const id = keyId(key);
    const queue = byKey.get(id);
    if (queue) {
      queue.push(pending);
      return;
    }
    byKey.set(id, [pending]);
    void flush(kv, key, id, byKey);
  });
}

async function flush(kv: Deno.Kv, key: Deno.KvKey, id: string, byKey: Map<string, Pending[]>) {
  for (;;) {
    const queue = byKey.get(id)!;
    const batch = queue.splice(0);
    if (batch.length === 0) {
      byKey.delete(id);
      return;
    }
    try {
      const outcomes = await withKvRetry(() => commitBatch(kv, key, batch));
      outcomes.forEach((o, i) => o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function commitBatch(kv: Deno.Kv, key: Deno.KvKey, batch: Pending[]): Promise<Outcome[]> {
  for (;;) {
    const current = await kv.get(key);
    const before: unknown = current.value ?? undefined;
    let state = before;
    let expireInMs: number | undefined;
    const now = Date.now();
    const outcomes: Outcome[] = batch.map((p) => {
      try {
        const applied = p.update(state, now);
        state = applied.state;
        expireInMs = applied.expireInMs;
        return { ok: true, value: applied.result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    // Nothing changed: the read itself is the linearisation point, no write needed.
    if (state === before) return outcomes;
    const op = kv.atomic().check(current);
    if (state === undefined) op.delete(key);
    else {
      op.set(
        key,
        state,
        expireInMs === undefined ? undefined : { expireIn: Math.max(1, Math.ceil(expireInMs)) },
      );
    }
    if ((await op.commit()).ok) return outcomes;
  }
}
