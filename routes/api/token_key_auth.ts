/**
 * Finds the API token a request presents (`Authorization: Bearer sk-…`) in the catalog by its keyed hash,
 * for the key-query routes. Read-only lookups accept any existing token (expired, exhausted or disabled
 * keys can still see their usage); the others require a usable token and an enabled owner.
 */
import type { Context } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { bareKey, hashTokenKey } from "../../crypto/token_key.ts";
import { Catalog, type TokenView } from "../../store/cache/catalog.ts";
import { nowSeconds } from "../../store/db.ts";
import { UserStatus } from "../../store/users.ts";

export type KeyLookup = { token: TokenView } | { error: string };

export function tokenFromKey(deps: AppDeps, c: Context, opts: { readOnly: boolean }): KeyLookup {
  const header = c.req.header("authorization") ?? "";
  if (!header) return { error: "No Authorization header" };
  if (!/^bearer\s+\S+$/i.test(header.trim())) return { error: "Invalid Bearer token" };
  const key = bareKey(header);
  // A pinned-channel suffix (`sk-<key>-<channel>`) names the same token.
  const token = deps.catalog.tokenByHash(hashTokenKey(deps.secrets.cryptoSecret, key.split("-")[0]));
  if (!token) return { error: "invalid token" };
  if (!opts.readOnly) {
    if (!Catalog.isTokenUsable(token, nowSeconds())) {
      return { error: "token is expired, exhausted or disabled" };
    }
    if (deps.catalog.user(token.userId)?.status !== UserStatus.enabled) return { error: "user is disabled" };
  }
  return { token };
}
