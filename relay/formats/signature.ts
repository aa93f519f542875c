/**
 * Keeps provider-bound reasoning signatures alive across a client that speaks another dialect. When a
 * signature reaches a client whose dialect did not produce it, it travels inside that client's own opaque
 * slot (Claude `signature`, Gemini `thoughtSignature`, Responses `encrypted_content`, or the tool-call id),
 * wrapped in an envelope naming its origin; clients echo these slots byte for byte, and the request decoder
 * unwraps them, so the next request replays the signature to the provider that made it (§5.8, §5.9).
 */
import type { Dialect } from "./ir.ts";

const CODES: Record<Dialect, string> = { claude: "c", gemini: "g", openai_responses: "r", openai_chat: "o" };
const DIALECTS: Record<string, Dialect> = {
  c: "claude",
  g: "gemini",
  r: "openai_responses",
  o: "openai_chat",
};

const MAGIC = "ndg1\n";
/** base64 of MAGIC plus any code letter starts like this (the letters, either case, share their top two bits). */
const B64_PREFIX = "bmRnMQp";
/** Separates a tool-call id from the signature folded into it; ids keep to [A-Za-z0-9_-] for Claude. */
const TOOL_ID_MARK = "__ndgsig_";

function bytesToBinary(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

function toBase64(text: string): string {
  return btoa(bytesToBinary(new TextEncoder().encode(text)));
}

function fromBase64(b64: string): string | undefined {
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function toBase64Url(text: string): string {
  return toBase64(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(b64url: string): string | undefined {
  const b64 = b64url.replaceAll("-", "+").replaceAll("_", "/");
  return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

export interface OpaqueSignature {
  origin: Dialect;
  signature: string;
  /** Responses reasoning item id, which must be replayed with its encrypted content. */
  id?: string;
  /** Claude `redacted_thinking` data rather than a thinking signature (the code letter is upper case). */
  redacted?: boolean;
}

/**
 * The value to put in `target`'s reasoning-signature slot. A signature from `target` itself goes raw;
 * a foreign one goes in a valid-base64 envelope (Gemini SDKs decode `thoughtSignature` as bytes).
 */
export function wrapReasoningSignature(target: Dialect, sig: OpaqueSignature): string {
  if (sig.origin === target) return sig.signature;
  const code = sig.redacted ? CODES[sig.origin].toUpperCase() : CODES[sig.origin];
  return toBase64(`${MAGIC}${code}\n${sig.id ?? ""}\n${sig.signature}`);
}

/** Reads a reasoning-signature slot a `own`-dialect client sent back: an envelope, or `own`'s raw value. */
export function unwrapReasoningSignature(own: Dialect, value: string, id?: string): OpaqueSignature {
  if (value.startsWith(B64_PREFIX)) {
    const text = fromBase64(value);
    if (text?.startsWith(MAGIC)) {
      const code = text[MAGIC.length];
      const origin = DIALECTS[code.toLowerCase()];
      const rest = text.slice(MAGIC.length + 2);
      const nl = rest.indexOf("\n");
      if (origin && text[MAGIC.length + 1] === "\n" && nl >= 0) {
        const envId = rest.slice(0, nl);
        const redacted = code !== code.toLowerCase() ? { redacted: true } : {};
        return { origin, signature: rest.slice(nl + 1), ...(envId ? { id: envId } : {}), ...redacted };
      }
    }
  }
  return { origin: own, signature: value, ...(id ? { id } : {}) };
}

/**
 * A tool-call id for a `target`-dialect client. A call signed by another dialect (a Gemini functionCall's
 * thoughtSignature) carries its signature inside the id, which every client echoes in its tool result.
 */
export function wrapToolCallId(target: Dialect, id: string, signature?: string, origin?: Dialect): string {
  if (!signature || !origin || origin === target) return id;
  return `${id}${TOOL_ID_MARK}${CODES[origin]}${toBase64Url(signature)}`;
}

/** Splits an id a client sent back into the upstream id and any signature folded into it. */
export function unwrapToolCallId(raw: string): { id: string; signature?: string; origin?: Dialect } {
  const at = raw.indexOf(TOOL_ID_MARK);
  if (at < 0) return { id: raw };
  const origin = DIALECTS[raw[at + TOOL_ID_MARK.length]];
  const signature = fromBase64Url(raw.slice(at + TOOL_ID_MARK.length + 1));
  if (!origin || signature === undefined) return { id: raw };
  return { id: raw.slice(0, at), signature, origin };
}
