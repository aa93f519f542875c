/**
 * An upstream that answers over a WebSocket instead of HTTP (Xunfei Spark): one request frame is sent, and
 * the answer frames come back as what an HTTP stream would be, an `UpstreamResponse` whose body is SSE
 * (`data: <frame>` per frame), so the relay's stream and JSON writers take it unchanged. An error in the
 * first frame, or a handshake the server refused with an HTTP status (a wrong key's 401), is answered as a
 * non-2xx response (retry and channel rules apply as to HTTP errors); a handshake that got no answer is a
 * connect error, a silent socket an idle timeout, a close before the last frame a cut stream. The socket is
 * the relay's upstream client's, so a channel's proxy setting applies.
 */
import type { UpstreamClient, UpstreamResponse } from "./upstream_client.ts";
import { bufferedResponse } from "./buffered_response.ts";
import {
  UpstreamBodyTooLargeError,
  UpstreamConnectError,
  UpstreamResetError,
  UpstreamTimeoutError,
} from "./upstream_errors.ts";

export interface WebSocketExchange {
  url: string;
  http: UpstreamClient;
  /** The channel's proxy setting. */
  proxy?: string;
  /** The request frame (text). */
  message: string;
  signal?: AbortSignal;
  /** Whether this frame ends the answer. */
  isLast(frame: Record<string, unknown>): boolean;
  /** An error the first frame carries, answered as an HTTP status with this body text. */
  errorOf?(frame: Record<string, unknown>): { status: number; text: string } | undefined;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function parseFrame(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

function bodyOf(stream: ReadableStream<Uint8Array>, socket?: WebSocket): UpstreamResponse["bytes"] {
  return async (maxBytes) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const c of stream) {
      size += c.length;
      if (size > maxBytes) {
        socket?.close();
        throw new UpstreamBodyTooLargeError(maxBytes);
      }
      chunks.push(c);
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
}

/** Opens the socket, sends the frame, and resolves at the first answer frame. */
export function exchangeOverWebSocket(x: WebSocketExchange): Promise<UpstreamResponse> {
  const connectMs = x.connectTimeoutMs ?? 15_000;
  const idleMs = x.idleTimeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    let handshakeStatus: () => number | undefined;
    try {
      ({ socket, handshakeStatus } = x.http.webSocket(x.url, { proxy: x.proxy }));
    } catch (e) {
      reject(new UpstreamConnectError(`WebSocket: ${(e as Error).message}`));
      return;
    }
    socket.binaryType = "arraybuffer";
    let settled = false;
    let done = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => socket.close(),
    });
    let timer = setTimeout(() => fail(new UpstreamTimeoutError("first_byte", connectMs)), connectMs);
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new UpstreamTimeoutError("idle", idleMs)), idleMs);
    };
    const onAbort = () => fail(new UpstreamResetError("aborted by the caller", "body"));
    x.signal?.addEventListener("abort", onAbort, { once: true });
    const end = () => {
      clearTimeout(timer);
      x.signal?.removeEventListener("abort", onAbort);
    };
    function fail(e: Error) {
      if (done) return;
      done = true;
      end();
      try {
        socket.close();
      } catch { /* already closed */ }
      if (!settled) {
        settled = true;
        reject(e);
      } else controller.error(e);
    }
    socket.onopen = () => {
      arm();
      socket.send(x.message);
    };
    socket.onerror = (e) => {
      const refused = handshakeStatus();
      if (!settled && refused !== undefined && refused >= 400) {
        settled = done = true;
        end();
        const message = `the upstream refused the WebSocket handshake (HTTP ${refused})`;
        resolve(bufferedResponse(refused, JSON.stringify({ error: { message, code: String(refused) } })));
        return;
      }
      const why = (e as ErrorEvent).message || "handshake failed";
      fail(
        settled
          ? new UpstreamResetError(`WebSocket: ${why}`, "body")
          : new UpstreamConnectError(`WebSocket: ${why}`),
      );
    };
    socket.onclose = (e) => {
      if (done) return;
      fail(
        new UpstreamResetError(
          `WebSocket closed (${e.code}) before the last frame`,
          settled ? "body" : "headers",
        ),
      );
    };
    socket.onmessage = (e) => {
      if (done) return;
      arm();
      const text = typeof e.data === "string" ? e.data : dec.decode(e.data as ArrayBuffer);
      const frame = parseFrame(text);
      if (!settled) {
        const error = x.errorOf?.(frame);
        settled = true;
        if (error) {
          done = true;
          end();
          socket.close();
          resolve(bufferedResponse(error.status, error.text));
          return;
        }
        resolve({
          status: 200,
          ok: true,
          headers: new Headers({ "content-type": "text/event-stream" }),
          body,
          bytes: bodyOf(body, socket),
          readErrorText: async () => dec.decode(await bodyOf(body, socket)(1 << 20)),
          cancel: () => Promise.resolve(socket.close()),
        });
      }
      controller.enqueue(enc.encode(`data: ${text.replaceAll("\n", "")}\n\n`));
      if (x.isLast(frame)) {
        done = true;
        end();
        controller.close();
        socket.close();
      }
    };
  });
}
