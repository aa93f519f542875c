/**
 * Every node (master or slave) writes its `system_instances` row at start and every 30 s, as New API does:
 * NODE_NAME, the start time, and a snapshot (version, node type, store, memory, requests in flight). Not a
 * leased job: each instance reports itself. A failed write is logged and retried at the next beat.
 */
import type { Db } from "../store/db.ts";
import { upsertSystemInstance } from "../store/system_instances.ts";
import { VERSION } from "../server/version.ts";
import { log } from "../server/logger.ts";

export const HEARTBEAT_MS = 30_000;

export interface HeartbeatSource {
  db: Db;
  nodeName: string;
  /** Unix seconds when this process started. */
  startedAt: number;
  /** The snapshot written as `info`. */
  info(): Record<string, unknown>;
}

/** What a node reports about itself (New API shows it in its node list). */
export function instanceInfo(
  d: { nodeType: string; store: string; inflight: number },
): Record<string, unknown> {
  const mem = Deno.memoryUsage();
  return {
    version: VERSION,
    node_type: d.nodeType,
    store: d.store,
    runtime: `deno ${Deno.version.deno}`,
    os: Deno.build.os,
    arch: Deno.build.arch,
    pid: Deno.pid,
    memory_rss_bytes: mem.rss,
    heap_used_bytes: mem.heapUsed,
    inflight_requests: d.inflight,
  };
}

export class InstanceHeartbeat {
  #timer?: ReturnType<typeof setInterval>;
  constructor(private readonly src: HeartbeatSource, private readonly everyMs = HEARTBEAT_MS) {}

  async beat(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    try {
      await upsertSystemInstance(this.src.db, {
        nodeName: this.src.nodeName,
        info: JSON.stringify(this.src.info()),
        startedAt: this.src.startedAt,
        lastSeenAt: now,
      }, now);
    } catch (err) {
      log.warn("instance heartbeat not written", { error: String(err) });
    }
  }

  start(): void {
    void this.beat();
    this.#timer = setInterval(() => void this.beat(), this.everyMs);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
