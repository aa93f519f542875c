/**
 * Calls the app as a given user through the real access-token path: each user gets a console access
 * token (stored hashed, as `GET /api/user/token` would) the first time, sent as `Authorization`.
 */
import type { AppHarness } from "./app.ts";
import { setAccessTokenHash } from "../../store/users.ts";
import { accessTokenHash, generateAccessToken } from "../../auth/credentials.ts";

export type AuthedCall = (
  method: string,
  path: string,
  opts?: { as?: number; headers?: Record<string, string> },
) => Promise<Response>;

export function withTestAuth(h: AppHarness): AuthedCall {
  const tokens = new Map<number, Promise<string>>();
  const tokenFor = (id: number) => {
    if (!tokens.has(id)) {
      tokens.set(
        id,
        (async () => {
          const token = generateAccessToken();
          await setAccessTokenHash(h.deps.db, id, accessTokenHash(h.deps.secrets.cryptoSecret, token));
          return token;
        })(),
      );
    }
    return tokens.get(id)!;
  };
  return async (method, path, opts = {}) => {
    const auth: Record<string, string> = opts.as
      ? { authorization: `Bearer ${await tokenFor(opts.as)}` }
      : {};
    return await h.call(method, path, undefined, { ...auth, ...(opts.headers ?? {}) });
  };
}
