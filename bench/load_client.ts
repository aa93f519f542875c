/** Starts `bench/load_agent.ts` as a child process and sends it jobs one at a time. */
import type { LoadJob } from "./load_agent.ts";
import type { ClosedJob, ClosedResult } from "./load_closed.ts";
import type { OpenJob, OpenResult } from "./load_open.ts";
import type { HoldJob, HoldResult } from "./load_hold.ts";

export class LoadAgent {
  readonly pid: number;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  #next = 1;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.pid = child.pid;
    this.#writer = child.stdin.getWriter();
    this.#lines = lineReader(child.stdout)[Symbol.asyncIterator]();
  }

  static start(): LoadAgent {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./load_agent.ts", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return new LoadAgent(child);
  }

  closed(job: Omit<ClosedJob, "kind">): Promise<ClosedResult> {
    return this.#run({ kind: "closed", ...job });
  }

  open(job: Omit<OpenJob, "kind">): Promise<OpenResult> {
    return this.#run({ kind: "open", ...job });
  }

  hold(job: Omit<HoldJob, "kind">): Promise<HoldResult> {
    return this.#run({ kind: "hold", ...job });
  }

  async #run<T>(job: LoadJob): Promise<T> {
    const id = this.#next++;
    await this.#writer.write(new TextEncoder().encode(JSON.stringify({ id, job }) + "\n"));
    const { value, done } = await this.#lines.next();
    if (done) throw new Error("the load agent exited");
    const reply = JSON.parse(value) as { id: number; result?: T; error?: string };
    if (reply.id !== id) throw new Error(`load agent answered job ${reply.id}, expected ${id}`);
    if (reply.error) throw new Error(`load agent: ${reply.error}`);
    return reply.result!;
  }

  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await this.#child.status;
    clearTimeout(timer);
  }
}

async function* lineReader(stream: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
}
