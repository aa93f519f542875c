/**
 * Child processes of the benchmark (fake upstream, proxies, gateway, load agent): start, wait until they
 * answer, stop; and what Linux says about them (`/proc/<pid>/status` memory, `/proc/<pid>/stat` CPU).
 */

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** stdout + stderr so far (for diagnostics when a start fails). */
  output(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the kernel picks it; the child binds it right after). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function collect(stream: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    sink.push(decoder.decode(chunk, { stream: true }));
    // Keep the tail only: a long run must not grow the harness.
    if (sink.length > 200) sink.splice(0, sink.length - 100);
  }
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Polled until it answers (any status below 500), or: */
  healthUrl?: string;
  /** the first stdout line that matches gives the URL. */
  urlFromOutput?: RegExp;
  url?: string;
  timeoutMs?: number;
}

export async function spawnService(opts: SpawnOptions): Promise<Service> {
  const child = new Deno.Command(Deno.execPath(), {
    args: opts.args,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const pumps = Promise.all([collect(child.stdout, chunks), collect(child.stderr, chunks)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      await status;
      clearTimeout(timer);
    }
    await pumps;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let url = opts.url ?? "";
  while (true) {
    if (exited) {
      await pumps;
      throw new Error(`${opts.name} exited during start:\n${chunks.join("").slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.name} did not become ready in time:\n${chunks.join("").slice(-4000)}`);
    }
    if (opts.urlFromOutput) {
      const m = chunks.join("").match(opts.urlFromOutput);
      if (m) {
        url = m[1];
        break;
      }
    } else if (opts.healthUrl && await answers(opts.healthUrl)) {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name: opts.name, url, pid: child.pid, output: () => chunks.join(""), stop };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}

export interface Memory {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since start (the kernel's high-water mark), bytes. */
  hwm: number;
}

/** Current and peak RSS of a process; undefined when it is gone or this is not Linux. */
export function readMemory(pid: number): Memory | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (field: string) => Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used, ms; NaN when unknown. */
export function readCpuMs(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    return ticks * 10; // USER_HZ is 100 on every Linux build Deno ships for.
  } catch {
    return NaN;
  }
}

/** CPU ticks of the whole machine (all cores, every process); compare two readings with `busyShare`. */
export function readMachineTicks(): { busy: number; total: number } {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal (guest time is inside user)
    return { busy: total - f[3] - f[4], total }; // minus idle and iowait
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Share of the machine's CPU time that was busy between two readings (0..1). */
export function busyShare(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return (b.busy - a.busy) / (b.total - a.total);
}

/** Samples the RSS of some processes every `everyMs` and keeps each one's peak. */
export class MemorySampler {
  readonly #pids: Map<string, number>;
  readonly peak = new Map<string, number>();
  readonly first = new Map<string, number>();
  readonly samples: { at: number; name: string; rss: number }[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #keepSamples: boolean;

  constructor(pids: Map<string, number>, opts: { keepSamples?: boolean } = {}) {
    this.#pids = pids;
    this.#keepSamples = opts.keepSamples ?? false;
  }

  start(everyMs: number): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const at = performance.now();
    for (const [name, pid] of this.#pids) {
      const m = readMemory(pid);
      if (!m) continue;
      if (!this.first.has(name)) this.first.set(name, m.rss);
      this.peak.set(name, Math.max(this.peak.get(name) ?? 0, m.rss));
      if (this.#keepSamples) this.samples.push({ at, name, rss: m.rss });
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.sample();
  }
}
