/**
 * Starts the real gateway (`main.ts`) as a child process on a free port and waits for it to listen.
 * Output is collected so tests can assert on it (e.g. that no secret was logged).
 */
const root = new URL("../../", import.meta.url).pathname;

export interface RunningServer {
  url: string;
  process: Deno.ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

async function collect(stream: ReadableStream<Uint8Array>, sink: string[], onChunk: () => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    sink.push(decoder.decode(chunk, { stream: true }));
    onChunk();
  }
}

/** Runs `main.ts` with `env` (PORT defaults to 0 = any free port) until it prints its address. */
export async function startServer(env: Record<string, string>, timeoutMs = 20000): Promise<RunningServer> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}main.ts`],
    cwd: env.__CWD ?? root,
    env: { PORT: "0", HOST: "127.0.0.1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const chunks: string[] = [];
  let resolveUrl!: (url: string) => void;
  const urlPromise = new Promise<string>((r) => (resolveUrl = r));
  const check = () => {
    const m = chunks.join("").match(/listening on (http:\/\/[^\s]+)/);
    if (m) resolveUrl(m[1].replace("0.0.0.0", "127.0.0.1"));
  };
  const pumps = Promise.all([collect(child.stdout, chunks, check), collect(child.stderr, chunks, check)]);
  const status = child.status;
  const winner = await Promise.race([
    urlPromise,
    status.then((s) => ({ exited: s })),
    new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs)),
  ]);
  if (typeof winner !== "string" || winner === "timeout") {
    if (winner === "timeout") child.kill("SIGKILL");
    await status;
    await pumps;
    throw new Error(`server did not start (${JSON.stringify(winner)}):\n${chunks.join("")}`);
  }
  return {
    url: winner,
    process: child,
    output: () => chunks.join(""),
    stop: async (signal: Deno.Signal = "SIGTERM") => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const s = await status;
      await pumps;
      return s;
    },
  };
}

/** Runs `main.ts` expecting it to exit; returns its status, output and how long it took. */
export async function runToExit(env: Record<string, string>, cwd = root, timeoutMs = 20000) {
  const started = Date.now();
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}main.ts`],
    cwd,
    env: { PORT: "0", HOST: "127.0.0.1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    code: out.code,
    output: decoder.decode(out.stdout) + decoder.decode(out.stderr),
    ms: Date.now() - started,
  };
}
