/**
 * Read-modify-write of one KV key, coalesced per process: concurrent updates of a key queue behind one
 * in-flight commit and are applied together in the next, so a burst on one key costs a couple of KV
 * round trips instead of one contended check/set loop per caller. Every commit checks a versionstamp,
 * so updates stay exact across handles and processes that share the same KV.
 *
 * The value and versionstamp this process last committed for a key are remembered (`committed.ts`), and
 * the next batch starts from them without reading: its commit checks that versionstamp, and only when
 * another handle or process wrote the key meanwhile does the check fail and the batch re-read and re-run.
 * A batch that writes nothing still reads, because that read is what makes its answer current. On a
 * handle with a key backend (`key_backend.ts`: memory written behind when this process alone writes the
 * keys, or a shared Redis) the update goes there instead.
 */
import { withKvRetry } from "./retry.ts";
import { type Committed, committedValues } from "./committed.ts";
import { keyBackendOf } from "./key_backend.ts";
import { timed } from "./timings.ts";

/** What an update returns: the new state (`undefined` deletes the key), its result, and a TTL. */
export interface Applied<S, R> {
  state: S | undefined;
  result: R;
  /** Time to live of the stored value in ms; omitted means no expiry. */
  expireInMs?: number;
}

/**
 * A pure step over the key's current state; it may run more than once if a commit loses a race. It must
 * not mutate `state` (the same object may be handed to later updates): return a new object to change
 * it, or the same one to leave the key untouched.
 */
export type Update<S, R> = (state: S | undefined, now: number) => Applied<S, R>;

/** An update waiting for its batch's commit (KV's and Redis's backends both batch them per key). */
export interface Pending {
  // deno-lint-ignore no-explicit-any
  update: Update<any, any>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Per handle, per key: the updates waiting for the next commit (present while a flusher runs). */
const waiting = new WeakMap<Deno.Kv, Map<string, Pending[]>>();

function bigintAsText(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

/** A map key for a KV key; the replacer (slow) only for the rare keys that hold bigints or bytes. */
function keyId(key: Deno.KvKey): string {
  for (const part of key) {
    if (typeof part === "bigint" || typeof part === "object") return JSON.stringify(key, bigintAsText);
  }
  return JSON.stringify(key);
}

/** Applies `update` to the value at `key` atomically and returns its result. */
export function updateKey<S, R>(kv: Deno.Kv, key: Deno.KvKey, update: Update<S, R>): Promise<R> {
  const backend = keyBackendOf(kv);
  if (backend) return backend.update(key, keyId(key), update);
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
      const outcomes = await withKvRetry(() => commitBatch(kv, key, id, batch));
      outcomes.forEach((o, i) => o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs a batch's steps in order over `state`: the state to write, its expiry and each step's outcome. */
export function applyBatch(
  batch: readonly Pending[],
  state: unknown,
  now: number,
): { state: unknown; expireInMs: number | undefined; outcomes: Outcome[] } {
  let expireInMs: number | undefined;
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
  return { state, expireInMs, outcomes };
}

async function read(kv: Deno.Kv, key: Deno.KvKey): Promise<Committed> {
  const entry = await timed("kv", "read", () => kv.get(key));
  return { versionstamp: entry.versionstamp, value: entry.value ?? undefined, expiresAt: Infinity };
}

async function commitBatch(kv: Deno.Kv, key: Deno.KvKey, id: string, batch: Pending[]): Promise<Outcome[]> {
  const remembered = committedValues(kv);
  let current = remembered.get(id, Date.now());
  let fromCache = current !== undefined;
  for (;;) {
    current ??= await read(kv, key);
    const before = current.value;
    const now = Date.now();
    const { state, expireInMs, outcomes } = applyBatch(batch, before, now);
    if (state === before) {
      // Nothing to write: a read is the linearisation point, so an answer from memory is confirmed first.
      if (!fromCache) return outcomes;
      const fresh = await read(kv, key);
      if (fresh.versionstamp === current.versionstamp) return outcomes;
      current = fresh;
      fromCache = false;
      continue;
    }
    const ttl = expireInMs === undefined ? undefined : Math.max(1, Math.ceil(expireInMs));
    const op = kv.atomic().check({ key, versionstamp: current.versionstamp });
    if (state === undefined) op.delete(key);
    else op.set(key, state, ttl === undefined ? undefined : { expireIn: ttl });
    let res: Deno.KvCommitResult | Deno.KvCommitError;
    try {
      res = await timed("kv", "write", () => op.commit());
    } catch (err) {
      remembered.forget(id); // a failed commit may or may not have landed
      throw err;
    }
    if (res.ok) {
      remembered.set(id, {
        versionstamp: state === undefined ? null : res.versionstamp,
        value: state,
        expiresAt: state === undefined || ttl === undefined ? Infinity : now + ttl,
      });
      return outcomes;
    }
    // Someone else wrote the key: start over from what is stored now.
    remembered.forget(id);
    current = undefined;
    fromCache = false;
  }
}
