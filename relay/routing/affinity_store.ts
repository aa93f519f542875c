/**
 * Where a session's channel (and, in a multi-key channel, its key) is remembered: one KV key per session
 * with the rule's TTL, through `updateKey`, so it lives in this process's KV, a shared Deno KV or Redis
 * (REDIS_CONN_STRING), whichever the project's KV layer was opened on. Every instance behind one Redis
 * therefore sends a session to the same channel.
 */
import { updateKey } from "../../kv/key_update.ts";

export interface AffinityTarget {
  channelId: number;
  /** The key of a multi-key channel that last answered for this session. */
  keyIndex?: number;
}

/** Stored as New API's newer JSON value (`channel_id`, `multi_key_index`); a bare id is read too. */
interface Stored {
  channel_id: number;
  multi_key_index?: number;
}

const PREFIX = "channel_affinity";
/** Deno KV keys are at most 2 KiB; a longer session value is hashed. */
const MAX_KEY_CHARS = 512;

async function kvKey(cacheKey: string): Promise<Deno.KvKey> {
  if (cacheKey.length <= MAX_KEY_CHARS) return [PREFIX, cacheKey];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(cacheKey));
  return [PREFIX, "sha256", [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")];
}

function decode(v: unknown): AffinityTarget | undefined {
  if (typeof v === "number" && v > 0) return { channelId: v };
  if (!v || typeof v !== "object") return undefined;
  const s = v as Partial<Stored>;
  if (typeof s.channel_id !== "number" || s.channel_id <= 0) return undefined;
  return typeof s.multi_key_index === "number" && s.multi_key_index >= 0
    ? { channelId: s.channel_id, keyIndex: s.multi_key_index }
    : { channelId: s.channel_id };
}

export async function getAffinity(kv: Deno.Kv, cacheKey: string): Promise<AffinityTarget | undefined> {
  const value = await updateKey<unknown, unknown>(
    kv,
    await kvKey(cacheKey),
    (s) => ({ state: s, result: s }),
  );
  return decode(value);
}

/** Remembers `target` for `ttlSeconds` (a refresh when it is already there: the TTL starts again). */
export async function setAffinity(
  kv: Deno.Kv,
  cacheKey: string,
  target: AffinityTarget,
  ttlSeconds: number,
): Promise<void> {
  const stored: Stored = target.keyIndex === undefined
    ? { channel_id: target.channelId }
    : { channel_id: target.channelId, multi_key_index: target.keyIndex };
  await updateKey(kv, await kvKey(cacheKey), () => ({
    state: stored,
    result: undefined,
    expireInMs: ttlSeconds * 1000,
  }));
}

export async function deleteAffinity(kv: Deno.Kv, cacheKey: string): Promise<void> {
  await updateKey(kv, await kvKey(cacheKey), () => ({ state: undefined, result: undefined }));
}
