/**
 * Zhipu's v3 API token: a bare HS256 JWT (header `alg: HS256`, `sign_type: SIGN`; claims `api_key`, `exp`
 * and `timestamp` in milliseconds) signed with the secret of a key `id.secret`, as Zhipu's v3 docs and New
 * API's zhipu adaptor make it. Valid for 24 hours; cached per key until a minute before that.
 */
import { SignJWT } from "jose";
import { ChannelError } from "../../pipeline/failure.ts";
import { cachedToken } from "../token_cache.ts";

export const ZHIPU_TOKEN_SECONDS = 24 * 3600;

export function parseZhipuKey(key: string): { id: string; secret: string } {
  const parts = key.trim().split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new ChannelError("the Zhipu key must be id.secret");
  }
  return { id: parts[0], secret: parts[1] };
}

/** A fresh token for `key` at `now` (ms). */
export function signZhipuToken(key: string, now = Date.now()): Promise<string> {
  const { id, secret } = parseZhipuKey(key);
  return new SignJWT({ api_key: id, exp: now + ZHIPU_TOKEN_SECONDS * 1000, timestamp: now })
    .setProtectedHeader({ alg: "HS256", sign_type: "SIGN" })
    .sign(new TextEncoder().encode(secret));
}

/** The cached token for `key` (ChannelError when the key is not `id.secret`). */
export function zhipuToken(key: string): Promise<string> {
  parseZhipuKey(key);
  return cachedToken(`zhipu|${key}`, async () => ({
    token: await signZhipuToken(key),
    expiresIn: ZHIPU_TOKEN_SECONDS,
  }));
}
