/**
 * The official `openai` SDK's realtime client (`OpenAIRealtimeWebSocket`, Deno's native WebSocket with the
 * key in the `openai-insecure-api-key` subprotocol) through the gateway. The SDK only dials `wss:`; the
 * fixture certificate is a CA that rustls refuses as a server certificate, so the global WebSocket the SDK
 * uses dials the same URL (path, query, subprotocols as the SDK built them) over plain `ws:` on loopback.
 */
import OpenAI from "openai";
import { OpenAIRealtimeWebSocket } from "openai/realtime/websocket";
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { expectedRealtimeQuota, RT_MODEL, RT_PRICES } from "../../support/realtime.ts";

appTest("the openai SDK's realtime client runs a session through the gateway, billed exactly", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { models: RT_MODEL })],
    options: RT_PRICES,
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => h.app.fetch(req, info),
  );
  const Native = globalThis.WebSocket;
  class LoopbackWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(String(url).replace(/^wss:\/\/127\.0\.0\.1:/, "ws://127.0.0.1:"), protocols);
    }
  }
  globalThis.WebSocket = LoopbackWebSocket;
  try {
    const before = await userQuota(h, s.userId);
    const client = new OpenAI({ apiKey: s.key, baseURL: `https://127.0.0.1:${server.addr.port}/v1` });
    const rt = new OpenAIRealtimeWebSocket({ model: RT_MODEL }, client);
    const errors: unknown[] = [];
    rt.on("error", (e) => errors.push(e.message ?? e));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no session.created: ${String(errors)}`)), 5000);
      rt.on("session.created", () => {
        clearTimeout(t);
        resolve();
      });
    });
    // deno-lint-ignore no-explicit-any
    const done = new Promise<any>((resolve) => rt.on("response.done", (e) => resolve(e)));
    rt.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "Hello from the SDK" }] },
    });
    rt.send({ type: "response.create" });
    const event = await done;
    const closed = new Promise((resolve) => rt.socket.addEventListener("close", resolve));
    rt.close();
    await closed;
    await settled(h);
    assertEquals(errors, []);
    assertEquals(before - (await userQuota(h, s.userId)), expectedRealtimeQuota([event.response.usage]));
  } finally {
    globalThis.WebSocket = Native;
    await server.shutdown();
  }
});
