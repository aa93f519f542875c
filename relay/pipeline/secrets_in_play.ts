/**
 * The secrets an attempt's error text must never carry: every key of the channel, the key the caller
 * presented, and the credentials the upstream request sends (auth headers, header overrides, `?key=`).
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import type { RelayCtx } from "./context.ts";
import type { ErrorAudience } from "./sanitize.ts";
import { Role } from "../../store/users.ts";

const CREDENTIAL_NAME = /auth|key|token|secret|signature|cookie|password|credential/i;

/** A credential value without its scheme word; Basic credentials decoded into their parts too. */
function credentialParts(value: string): string[] {
  const v = value.trim();
  const m = /^(bearer|basic|token|key|apikey)\s+(.+)$/i.exec(v);
  if (!m) return [v];
  const parts = [m[2].trim()];
  if (m[1].toLowerCase() === "basic") {
    try {
      const plain = atob(m[2].trim());
      parts.push(plain, ...plain.split(":"));
    } catch { /* not base64 */ }
  }
  return parts;
}

export interface SecretSources {
  channel: ChannelView;
  /** The key this attempt uses. */
  key: string;
  /** The key the client presented. */
  clientKey?: string;
  /** The upstream request as built. */
  upstream?: { url: string; headers: Record<string, string> };
}

/**
 * The secret pieces of a composite channel key: each part of `AK|SK|region` (AWS) and the `private_key`
 * of a service-account JSON key (Vertex), so an error quoting one part alone is redacted too.
 */
function keyParts(key: string): string[] {
  // Long parts only: the region of `AK|SK|region` is no secret.
  if (key.includes("|")) return key.split("|").map((p) => p.trim()).filter((p) => p.length >= 12);
  if (!key.trimStart().startsWith("{")) return [];
  try {
    const pk = JSON.parse(key)?.private_key;
    if (typeof pk !== "string") return [];
    const body = pk.replaceAll("\\n", "\n").split("\n").filter((l) => l && !l.startsWith("-----"));
    return [pk, ...body];
  } catch {
    return [];
  }
}

export function secretsInPlay({ channel, key, clientKey, upstream }: SecretSources): string[] {
  const out = new Set<string>([key, ...channel.keys]);
  for (const k of [key, ...channel.keys]) for (const p of keyParts(k)) out.add(p);
  if (clientKey) { for (const p of credentialParts(clientKey)) out.add(p); }
  if (upstream) {
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (CREDENTIAL_NAME.test(name)) { for (const p of credentialParts(value)) out.add(p); }
    }
    try {
      for (const [name, value] of new URL(upstream.url).searchParams) {
        if (CREDENTIAL_NAME.test(name) || name === "sig") out.add(value);
      }
    } catch { /* a bad URL fails the request elsewhere */ }
  }
  return [...out].filter((s) => s.length >= 6);
}

/**
 * Who an attempt's errors are for: the secrets in play (gathered on first use, i.e. only when an error
 * is rendered) and whether the caller is an admin.
 */
export function errorAudience(
  ctx: RelayCtx,
  channel: ChannelView,
  key: string,
  upstream?: { url: string; headers: Record<string, string> },
): ErrorAudience {
  let secrets: string[] | undefined;
  const clientKey = ctx.clientKey;
  return {
    get secrets() {
      return secrets ??= secretsInPlay({ channel, key, clientKey, upstream });
    },
    admin: (ctx.caller?.user.role ?? 0) >= Role.admin,
  };
}
