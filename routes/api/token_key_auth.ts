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
import type { ApiMessageKey } from "./messages.ts";

export type KeyLookup = { token: TokenView } | { error: ApiMessageKey };

export function tokenFromKey(deps: AppDeps, c: Context, opts: { readOnly: boolean }): KeyLookup {
  const header = c.req.header("authorization") ?? "";
  if (!header) return { error: "api.key_missing" };
  if (!/^bearer\s+\S+$/i.test(header.trim())) return { error: "api.key_malformed" };
  const key = bareKey(header);
  // A pinned-channel suffix (`sk-<key>-<channel>`) names the same token.
  const token = deps.catalog.tokenByHash(hashTokenKey(deps.secrets.cryptoSecret, key.split("-")[0]));
  if (!token) return { error: "api.key_invalid" };
  if (!opts.readOnly) {
    if (!Catalog.isTokenUsable(token, nowSeconds())) {
      return { error: "api.key_unusable" };
    }
    if (deps.catalog.user(token.userId)?.status !== UserStatus.enabled) return { error: "api.user_disabled" };
  }
  return { token };
}
