/**
 * What this process last committed per KV key (value, versionstamp, expiry), bounded per handle, so
 * `updateKey` can start the next commit from it instead of reading: the commit's versionstamp check
 * proves the memory is still current, or fails and the key is read again.
 */

export interface Committed {
  /** null: the key does not exist (we deleted it). */
  versionstamp: string | null;
  value: unknown;
  /** Epoch ms after which the stored value may have expired; the memory is not used past it. */
  expiresAt: number;
}

const maxKeysPerHandle = 4096;

/** Insertion-ordered, so the oldest commit is the first to go when the bound is reached. */
export class CommittedValues {
  readonly #entries = new Map<string, Committed>();

  get(id: string, now: number): Committed | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  set(id: string, entry: Committed): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    if (this.#entries.size > maxKeysPerHandle) this.#entries.delete(this.#entries.keys().next().value!);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}

const byHandle = new WeakMap<Deno.Kv, CommittedValues>();

/** The memory of one KV handle (each handle is its own writer; the check sees the others' writes). */
export function committedValues(kv: Deno.Kv): CommittedValues {
  let values = byHandle.get(kv);
  if (!values) byHandle.set(kv, values = new CommittedValues());
  return values;
}
