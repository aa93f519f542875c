/**
 * The load generator as its own process, so it never shares an event loop (or a core's time slice) with
 * a target: reads one JSON job per stdin line, answers one JSON line `{id, result}` or `{id, error}`.
 * `bench/main.ts` drives it through `LoadAgent` (`bench/load_client.ts`).
 */
import { type ClosedJob, runClosed } from "./load_closed.ts";
import { type OpenJob, runOpen } from "./load_open.ts";
import { type HoldJob, runHold } from "./load_hold.ts";

export type LoadJob = ClosedJob | OpenJob | HoldJob;

async function run(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case "closed":
      return await runClosed(job);
    case "open":
      return await runOpen(job);
    case "hold":
      return await runHold(job);
  }
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buffer = "";
  for await (const text of lines) {
    buffer += text;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const { id, job } = JSON.parse(line) as { id: number; job: LoadJob };
      let reply;
      try {
        reply = { id, result: await run(job) };
      } catch (err) {
        reply = { id, error: (err as Error).stack ?? String(err) };
      }
      await Deno.stdout.write(encoder.encode(JSON.stringify(reply) + "\n"));
    }
  }
}
