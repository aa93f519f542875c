/** Runs a test body with a fresh in-memory KV (opened the way the server opens it) and closes it after. */
import { openKv } from "../../kv/kv.ts";

export async function withMemoryKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await openKv({ kvPath: ":memory:" });
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}
