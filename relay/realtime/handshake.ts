/**
 * What a realtime client's handshake carries: its key (the `Authorization` header, or, for browsers that
 * cannot set headers, the `openai-insecure-api-key.<key>` subprotocol, as New API and OpenAI read it) and
 * the subprotocol the gateway answers with (never the key's).
 */
const KEY_PROTOCOL = "openai-insecure-api-key.";

function protocols(headers: Headers): string[] {
  return (headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
}

/** The key presented, `Authorization` first. */
export function realtimeKey(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth && auth.trim()) return auth;
  const p = protocols(headers).find((p) => p.startsWith(KEY_PROTOCOL));
  return p ? p.slice(KEY_PROTOCOL.length) || undefined : undefined;
}

/** The subprotocol to accept: `realtime` when offered, else the first that is not a key or beta flag. */
export function clientProtocol(headers: Headers): string | undefined {
  const offered = protocols(headers);
  if (offered.includes("realtime")) return "realtime";
  return offered.find((p) => !p.startsWith(KEY_PROTOCOL) && !p.startsWith("openai-beta."));
}
