/**
 * A long stream does not grow the heap: 150,000 events (tens of MB) relayed in-process, with the heap
 * measured after a full GC every 20,000 events, must stay flat (a relay that buffered the stream would
 * grow by about the stream's size). Runs in a child process started with `--expose-gc`.
 */
import { assert } from "../support/assert.ts";

Deno.test("a 150k-event stream is relayed in bounded memory", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL("./long_stream_child.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.code === 0, new TextDecoder().decode(out.stderr));
  const line = text.trim().split("\n").at(-1)!;
  const { samples, bytes, seen, done } = JSON.parse(line) as {
    samples: number[];
    bytes: number;
    seen: number;
    done: boolean;
  };
  assert(done && seen >= 150_000, `stream complete (${seen} events)`);
  assert(bytes > 20 * 1024 * 1024, `${bytes} bytes relayed`);
  const growth = Math.max(...samples.slice(1)) - samples[0];
  assert(
    growth < 4 * 1024 * 1024,
    `heap grew ${(growth / 1048576).toFixed(1)} MB over ${(bytes / 1048576).toFixed(0)} MB`,
  );
});
