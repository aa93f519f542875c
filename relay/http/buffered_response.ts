/**
 * An upstream answer already read whole, as an `UpstreamResponse`: what an exchange that is not one HTTP
 * call (a WebSocket exchange, a polled image task) hands the relay in place of a live response.
 */
import type { UpstreamResponse } from "./upstream_client.ts";

const enc = new TextEncoder();

export function bufferedResponse(
  status: number,
  text: string,
  contentType = "application/json",
): UpstreamResponse {
  const bytes = enc.encode(text);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: new Headers({ "content-type": contentType }),
    body: ReadableStream.from([bytes]),
    bytes: () => Promise.resolve(bytes),
    readErrorText: () => Promise.resolve(text),
    cancel: () => Promise.resolve(),
  };
}
