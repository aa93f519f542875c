/**
 * Starts the real gateway (`main.ts`) as a child process on a free port and waits for it to listen.
 * Output is collected so tests can assert on it (e.g. that no secret was logged).
 */
import { loadConfig } from "../../config/env.ts";
import { openMigratedStore } from "../../store/open.ts";
import { completeSetup } from "../../store/setup.ts";
import { setUserQuota } from "../../store/users.ts";
import { insertChannel } from "../../store/channels.ts";
import { createToken } from "../../store/tokens.ts";
import { hashPassword } from "../../crypto/password.ts";
import { VERSION } from "../../server/version.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Root's password in the stores `seedGatewayStore` sets up. */
export const seededRootPassword = "root-password-123";

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

/**
 * Sets up the store `env` points at as a fresh install would be (root with `seededRootPassword` and a
 * large wallet, one OpenAI channel named `channelName` on `upstreamUrl` serving gpt-4o-mini) and returns
 * an unlimited token's key. `env` must carry SESSION_SECRET (used for both secrets, as the tests run).
 */
export async function seedGatewayStore(
  env: Record<string, string>,
  upstreamUrl: string,
  channelName = "fake",
): Promise<string> {
  const secret = env.SESSION_SECRET;
  const db = await openMigratedStore(loadConfig(env), { sessionSecret: secret, cryptoSecret: secret });
  try {
    const setup = await completeSetup(db, {
      username: "root",
      passwordHash: await hashPassword(seededRootPassword),
      selfUseModeEnabled: true,
      demoSiteEnabled: false,
      version: VERSION,
    });
    if (!setup.ok) throw new Error("fresh database already set up");
    await setUserQuota(db, setup.rootId, 1_000_000_000);
    await insertChannel(db, secret, {
      type: 1,
      name: channelName,
      baseUrl: upstreamUrl,
      key: "sk-fake-upstream",
      models: "gpt-4o-mini",
      group: "default",
    });
    return (await createToken(db, secret, setup.rootId, { name: "t", unlimitedQuota: true })).key;
  } finally {
    await db.close();
  }
}

/** Logs in with a password as a console does; returns the headers a script then writes with. */
export async function loginWithPassword(
  base: string,
  username = "root",
  password = seededRootPassword,
): Promise<{ id: number; headers: Record<string, string> }> {
  const res = await fetch(`${base}/api/user/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json();
  if (body.success !== true) throw new Error(`login as ${username} failed: ${JSON.stringify(body)}`);
  return {
    id: body.data.id,
    headers: {
      cookie: res.headers.get("set-cookie")!.split(";")[0],
      "New-Api-User": String(body.data.id),
      origin: base,
    },
  };
}
