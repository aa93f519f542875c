/**
 * Two processes on one local KV file. SQLite serialises their writes and answers "database is locked"
 * when both write at once; `withKvRetry` retries those, and every limiter commit checks the versionstamp
 * it read, so the limits stay global across the processes. This test measures the retries and prints
 * them; the admitted counts must be exact whatever the retries were.
 */
import { assertEquals } from "../../support/assert.ts";
import { withTempDir } from "../../support/temp_dir.ts";
import { openKv } from "../../../kv/kv.ts";
import { TokenLimiter } from "../../../kv/limits/token_limits.ts";

const worker = new URL("./fixtures/limit_worker.ts", import.meta.url).pathname;

interface Report {
  admitted: Record<string, number>;
  busyRetries: number;
  ms: number;
}

async function run(
  path: string,
  startAt: number,
  requests: number,
  rpm: number,
  tokens: number,
): Promise<Report> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      worker,
      path,
      String(startAt),
      String(requests),
      String(rpm),
      String(tokens),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`worker failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test("two processes on one KV file share per-token limits exactly; busy retries are measured", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/kv.sqlite3`;
    const tokens = 20, rpm = 7, requests = 400;
    // Both start at the same wall-clock moment, after their (slow) start-up.
    const startAt = Date.now() + 1500;
    const [a, b] = await Promise.all([
      run(path, startAt, requests, rpm, tokens),
      run(path, startAt, requests, rpm, tokens),
    ]);
    console.log(
      `two processes, ${requests} requests each over ${tokens} tokens: ` +
        `busy retries ${a.busyRetries} + ${b.busyRetries}, ${a.ms} ms / ${b.ms} ms`,
    );
    for (let t = 0; t < tokens; t++) {
      const key = `t${t}`;
      assertEquals((a.admitted[key] ?? 0) + (b.admitted[key] ?? 0), rpm, `token ${key}`);
    }
  });
});

Deno.test("slots held by a killed process come back when their leases expire", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/kv.sqlite3`;
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        new URL("./fixtures/lease_holder.ts", import.meta.url).pathname,
        path,
        "400",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assertEquals((await reader.read()).value?.trim(), "held");
    holder.kill("SIGKILL");
    await holder.status;
    await reader.cancel();
    const kv = await openKv({ kvPath: path });
    try {
      const limiter = new TokenLimiter(kv);
      const setting = { tokenId: "crash", concurrency: 2 };
      assertEquals((await limiter.checkRequest(setting)).ok, false, "the dead process's leases still count");
      await new Promise((r) => setTimeout(r, 1400));
      const gates = await Promise.all([limiter.checkRequest(setting), limiter.checkRequest(setting)]);
      assertEquals(gates.filter((g) => g.ok).length, 2);
      for (const g of gates) await g.release();
    } finally {
      kv.close();
    }
  });
});
