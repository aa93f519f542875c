/**
 * The realtime bridge's bounds, on socket doubles that only hold state (the pipe itself is exercised on
 * real sockets in realtime_test.ts): events the upstream sends before the client is open are queued up
 * to the bound and the session ends with a `buffer_overflow` error event past it; a socket whose unsent
 * bytes pass the bound ends it too; an oversized event ends it with `message_too_large`.
 */
import { assertEquals } from "../../support/assert.ts";
import { type EndReason, RealtimeBridge } from "../../../relay/realtime/bridge.ts";

class SocketState {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  binaryType = "blob";
  sent: string[] = [];
  closedWith?: number;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  send(m: string) {
    this.sent.push(m);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = WebSocket.CLOSED;
  }
}

function bridge(client: SocketState, upstream: SocketState, maxBufferedBytes = 1000) {
  const ends: EndReason[] = [];
  const b = new RealtimeBridge(client as unknown as WebSocket, upstream as unknown as WebSocket, {
    idleMs: 60_000,
    maxBufferedBytes,
    maxMessageBytes: 5000,
    onResponseDone: () => Promise.resolve(true),
    onEnd: (r) => {
      ends.push(r);
    },
    shutdown: new AbortController().signal,
  });
  return { b, ends };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

Deno.test("events before the client is open wait, bounded: past the bound the session ends", async () => {
  const client = new SocketState();
  client.readyState = WebSocket.CONNECTING;
  const upstream = new SocketState();
  const { b, ends } = bridge(client, upstream);
  upstream.onmessage!({ data: JSON.stringify({ type: "session.created" }) });
  assertEquals(client.sent.length, 0);
  client.readyState = WebSocket.OPEN;
  client.onopen!();
  assertEquals(client.sent.length, 1);

  const late = new SocketState();
  late.readyState = WebSocket.CONNECTING;
  const up2 = new SocketState();
  const second = bridge(late, up2);
  for (let i = 0; i < 10; i++) up2.onmessage!({ data: "x".repeat(100) });
  await flush();
  assertEquals(second.ends, ["buffer_overflow"]);
  assertEquals(up2.closedWith, 1000);
  late.readyState = WebSocket.OPEN;
  late.onopen!();
  assertEquals(JSON.parse(late.sent.at(-1)!).error.code, "buffer_overflow");
  assertEquals(late.closedWith, 1013);
  assertEquals(ends, []);
  b.end("client_closed");
});

Deno.test("a slow reader (unsent bytes past the bound) or an oversized event ends the session", async () => {
  const client = new SocketState();
  const upstream = new SocketState();
  const { ends } = bridge(client, upstream);
  client.bufferedAmount = 2000;
  upstream.onmessage!({ data: "{}" });
  await flush();
  assertEquals(ends, ["buffer_overflow"]);

  const c2 = new SocketState();
  const u2 = new SocketState();
  const second = bridge(c2, u2);
  c2.onmessage!({ data: "y".repeat(6000) });
  await flush();
  assertEquals(second.ends, ["message_too_large"]);
  assertEquals(u2.sent.length, 0);
  assertEquals(c2.closedWith, 1009);
});
