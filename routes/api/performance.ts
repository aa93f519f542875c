/**
 * New API's performance routes (root only), in its shapes:
 * - `GET /api/performance/stats`: `cache_stats`, `memory_stats`, `disk_cache_info`, `disk_space_info` and
 *   `config`. This gateway streams request bodies and keeps no disk cache, so the cache numbers are 0 and
 *   `disk_cache_enabled` false. Memory is V8's: `alloc` the heap in use, `total_alloc` the heap reserved,
 *   `sys` the resident set; `num_gc` counts the collections asked for through `/gc` (V8 does not count its
 *   own for us) and `num_goroutine` is the relay requests in flight. Disk space is the data directory's.
 * - `DELETE /api/performance/disk_cache`, `POST /api/performance/reset_stats`: nothing to clear, answered as
 *   New API answers them.
 * - `POST /api/performance/gc`: a full V8 collection (`--expose-gc` set at run time through `node:v8`).
 * - `GET|DELETE /api/performance/logs`: New API's log files. The gateway logs to stdout/stderr only, so the
 *   list is `enabled: false` and a cleanup answers "no log directory", as New API does without `--log-dir`.
 */
import { Hono } from "hono";
import { statfs } from "node:fs/promises";
import v8 from "node:v8";
import vm from "node:vm";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireRoot } from "../../auth/middleware.ts";
import { msgFor } from "./messages.ts";
import { ok } from "./respond.ts";

let forcedCollections = 0;
let collect: (() => void) | undefined;

/** V8's `gc()`, made available once (the flag only takes effect for contexts created after it). */
function garbageCollector(): () => void {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  return collect;
}

/** The file system holding `path` (or the working directory when `path` does not exist yet). */
async function diskSpace(path: string) {
  for (const at of [path, Deno.cwd()]) {
    try {
      const s = await statfs(at);
      const total = s.blocks * s.bsize;
      const free = s.bavail * s.bsize;
      const used = (s.blocks - s.bfree) * s.bsize;
      return { total, free, used, used_percent: total > 0 ? Math.round(used / total * 10000) / 100 : 0 };
    } catch { /* next */ }
  }
  return { total: 0, free: 0, used: 0, used_percent: 0 };
}

function inContainer(): boolean {
  try {
    Deno.statSync("/.dockerenv");
    return true;
  } catch {
    try {
      return /docker|kubepods|containerd/.test(Deno.readTextFileSync("/proc/1/cgroup"));
    } catch {
      return false;
    }
  }
}

export function performanceRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const container = inContainer();

  app.get("/api/performance/stats", requireRoot(deps), async (c) => {
    const mem = Deno.memoryUsage();
    return ok(c, {
      cache_stats: {
        active_disk_files: 0,
        current_disk_usage_bytes: 0,
        active_memory_buffers: 0,
        current_memory_usage_bytes: 0,
        disk_cache_hits: 0,
        memory_cache_hits: 0,
        disk_cache_max_bytes: 0,
        disk_cache_threshold_bytes: 0,
      },
      memory_stats: {
        alloc: mem.heapUsed,
        total_alloc: mem.heapTotal,
        sys: mem.rss,
        num_gc: forcedCollections,
        num_goroutine: deps.inflight.size,
      },
      disk_cache_info: { path: "", exists: false, file_count: 0, total_size: 0 },
      disk_space_info: await diskSpace(deps.config.dataDir),
      config: {
        disk_cache_enabled: false,
        disk_cache_threshold_mb: 0,
        disk_cache_max_size_mb: 0,
        disk_cache_path: "",
        is_running_in_container: container,
        // New API's defaults; its request-refusing monitor is not built here.
        monitor_enabled: false,
        monitor_cpu_threshold: 90,
        monitor_memory_threshold: 90,
        monitor_disk_threshold: 95,
      },
    });
  });

  app.delete("/api/performance/disk_cache", requireRoot(deps), (c) => {
    return c.json({ success: true, message: msgFor(c, "api.performance_disk_cache_cleared") });
  });

  app.post("/api/performance/reset_stats", requireRoot(deps), (c) => {
    return c.json({ success: true, message: msgFor(c, "api.performance_stats_reset") });
  });

  app.post("/api/performance/gc", requireRoot(deps), (c) => {
    garbageCollector()();
    forcedCollections++;
    return c.json({ success: true, message: msgFor(c, "api.performance_gc_executed") });
  });

  app.get("/api/performance/logs", requireRoot(deps), (c) => {
    // New API's LogFilesResponse{Enabled: false}: its nil file list is JSON null.
    return ok(c, { log_dir: "", enabled: false, file_count: 0, total_size: 0, files: null });
  });

  app.delete("/api/performance/logs", requireRoot(deps), (c) => {
    const mode = c.req.query("mode");
    const value = Number(c.req.query("value"));
    // New API answers these refusals with 200 and success: false.
    if (mode !== "by_count" && mode !== "by_days") {
      return c.json({ success: false, message: msgFor(c, "api.performance_log_mode_invalid") });
    }
    if (!Number.isInteger(value) || value < 1) {
      return c.json({ success: false, message: msgFor(c, "api.performance_log_value_invalid") });
    }
    return c.json({ success: false, message: msgFor(c, "api.performance_log_dir_unset") });
  });

  return app;
}
