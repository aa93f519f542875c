/**
 * Reads a relay request body once, as bytes, under MAX_REQUEST_BODY_MB (checked on the declared length
 * first, then while reading, after gzip/deflate decompression so a compressed bomb cannot get past it).
 */
import { RelayError } from "../formats/errors.ts";

export function bodyTooLarge(maxBytes: number): RelayError {
  return new RelayError(413, `Request body is too large: the limit is ${Math.floor(maxBytes / 1048576)} MB`, {
    code: "request_body_too_large",
  });
}

/**
 * Deno's DecompressionStream inflates a whole input chunk in one step (1 MiB of gzip can be 1 GiB out),
 * so the compressed bytes are fed to it 1 KiB at a time: each step then yields at most about 1 MiB and
 * the size check below stops the read before memory grows.
 */
const INFLATE_STEP = 1024;

function inSmallSteps(): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, c) {
      for (let at = 0; at < chunk.byteLength; at += INFLATE_STEP) {
        c.enqueue(chunk.subarray(at, at + INFLATE_STEP));
      }
    },
  });
}

export async function readRequestBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const length = req.headers.get("content-length")?.trim() ?? "";
  const declared = /^\d+$/.test(length) ? Number(length) : NaN;
  if (declared > maxBytes) throw bodyTooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (Number.isFinite(declared) && (encoding === "" || encoding === "identity")) {
    // A declared length the server holds the body to: read whole into one buffer of that size. The
    // streamed read below leaves a 64 KB chunk buffer on the request for as long as the response runs.
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await req.arrayBuffer());
    } catch {
      throw new RelayError(400, "The request body could not be read", { code: "invalid_request_body" });
    }
    // Only an in-process Request can carry more than it declares; still refused.
    if (bytes.byteLength > maxBytes) throw bodyTooLarge(maxBytes);
    return bytes;
  }
  let stream: ReadableStream<Uint8Array> = req.body;
  if (encoding === "gzip" || encoding === "x-gzip" || encoding === "deflate") {
    const inflate = new DecompressionStream(encoding === "deflate" ? "deflate" : "gzip");
    stream = stream.pipeThrough(inSmallSteps())
      .pipeThrough(inflate as unknown as TransformStream<Uint8Array, Uint8Array>);
  } else if (encoding !== "" && encoding !== "identity") {
    throw new RelayError(415, `Content-Encoding "${encoding.slice(0, 32)}" is not supported`, {
      code: "unsupported_content_encoding",
    });
  }
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw bodyTooLarge(maxBytes);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof RelayError) throw e;
    throw new RelayError(400, "The request body could not be read", { code: "invalid_request_body" });
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
