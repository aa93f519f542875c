/**
 * The channel test for a realtime model: open the channel's realtime socket, ask for one short text
 * response and wait for its `response.done` (an `error` event or a refused handshake is the failure).
 * Not billed, like every channel test.
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import type { ProviderEnv } from "../providers/spec.ts";
import { openUpstream, realtimeUpstream } from "./upstream.ts";

/** Whether `model` is tested over the realtime socket on this channel. */
export function isRealtimeModel(model: string): boolean {
  return model.toLowerCase().includes("realtime");
}

/** Undefined when the response completed; else why it did not. */
export async function probeRealtime(
  channel: ChannelView,
  key: string,
  model: string,
  env: ProviderEnv,
  timeoutMs = 60_000,
): Promise<string | undefined> {
  const up = realtimeUpstream({ channel, key, model, env, clientHeaders: new Headers() });
  if (!up) return "this channel type has no realtime endpoint";
  const signal = AbortSignal.timeout(timeoutMs);
  const { socket } = await openUpstream(up.url, up.headers, signal);
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve("no response.done before the timeout"), timeoutMs);
      const end = (why: string | undefined) => {
        clearTimeout(timer);
        resolve(why);
      };
      socket.onmessage = (m) => {
        if (typeof m.data !== "string") return;
        try {
          const e = JSON.parse(m.data);
          if (e?.type === "response.done") end(undefined);
          else if (e?.type === "error") end(String(e.error?.message ?? "upstream error event"));
        } catch { /* not an event */ }
      };
      socket.onclose = (e) => end(`the upstream closed the socket (${e.code})`);
      socket.onerror = () => end("the realtime socket failed");
      socket.send(JSON.stringify({
        type: "response.create",
        response: { modalities: ["text"], instructions: "Say hi.", max_output_tokens: 16 },
      }));
    });
  } finally {
    socket.onclose = socket.onerror = socket.onmessage = null;
    socket.close(1000);
  }
}
