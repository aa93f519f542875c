/**
 * Google service-account credentials → OAuth access token (RFC 7523 JWT bearer grant, as Google's auth
 * libraries do): an RS256 JWT signed with the key's `private_key` (`iss` = `client_email`, `scope` =
 * cloud-platform, `aud` = the token endpoint, one hour), posted to the key's `token_uri` (Google's
 * `https://oauth2.googleapis.com/token` when absent). The token is cached per credential until a minute
 * before `expires_in` runs out; concurrent requests share one exchange (`../token_cache.ts`).
 */
import { importPKCS8, SignJWT } from "jose";
import type { UpstreamClient } from "../../http/upstream_client.ts";
import { ChannelError } from "../../pipeline/failure.ts";
import { cachedToken, type IssuedToken } from "../token_cache.ts";

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** The service-account JSON of a Vertex channel's key (ChannelError when it is not one). */
export function parseServiceAccount(key: string): ServiceAccount {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(key);
  } catch {
    throw new ChannelError("the Vertex key is not a service-account JSON key");
  }
  const s = (k: string) => (typeof v?.[k] === "string" ? v[k] as string : "");
  if (!s("client_email") || !s("private_key") || !s("project_id")) {
    throw new ChannelError("the Vertex key lacks project_id, client_email or private_key");
  }
  const tokenUri = s("token_uri");
  if (tokenUri && !/^https?:\/\//.test(tokenUri)) {
    throw new ChannelError("the Vertex key's token_uri is not a URL");
  }
  return {
    project_id: s("project_id"),
    client_email: s("client_email"),
    // Keys pasted through a form sometimes keep their newlines escaped.
    private_key: s("private_key").replaceAll("\\n", "\n"),
    private_key_id: s("private_key_id") || undefined,
    token_uri: tokenUri || undefined,
  };
}

async function exchange(sa: ServiceAccount, http: UpstreamClient, proxy?: string): Promise<IssuedToken> {
  const aud = sa.token_uri ?? GOOGLE_TOKEN_URI;
  let assertion: string;
  try {
    const key = await importPKCS8(sa.private_key, "RS256");
    assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: "RS256",
        typ: "JWT",
        ...(sa.private_key_id ? { kid: sa.private_key_id } : {}),
      })
      .setIssuer(sa.client_email)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
  } catch {
    throw new ChannelError("the Vertex key's private_key is not a PKCS#8 RSA key");
  }
  const res = await http.request({
    method: "POST",
    url: aud,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion })
      .toString(),
    proxy,
    totalTimeoutMs: 20_000,
  });
  const text = new TextDecoder().decode(await res.bytes(1 << 20));
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch { /* reported below */ }
  if (!res.ok || typeof body.access_token !== "string") {
    const why = typeof body.error_description === "string" ? body.error_description : `status ${res.status}`;
    throw new ChannelError(`the Vertex token exchange failed: ${why.slice(0, 200)}`);
  }
  const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 3600;
  return { token: body.access_token, expiresIn: seconds };
}

/** A valid access token for the service account (cached; ChannelError when it cannot be had). */
export function accessToken(
  sa: ServiceAccount,
  http: UpstreamClient | undefined,
  proxy?: string,
): Promise<string> {
  if (!http) throw new ChannelError("no HTTP client for the Vertex token exchange");
  return cachedToken(
    `vertex|${sa.client_email}|${sa.private_key_id ?? ""}|${sa.token_uri ?? ""}`,
    () => exchange(sa, http, proxy),
  );
}
