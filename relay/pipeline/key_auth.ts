/**
 * API key authentication for relay routes, from the in-memory catalog only (no database read): the key
 * from `Authorization: Bearer sk-…` (prefix optional), `x-api-key` (on `/v1/messages` and `/v1/models`) or
 * `x-goog-api-key`/`?key=` (on Gemini paths and `/v1/models/…`), as New API accepts them. `sk-<key>-<id>`
 * pins channel `<id>` for admins. Unknown and wrong keys get one generic 401; the key is never echoed.
 */
import type { Catalog, TokenView } from "../../store/cache/catalog.ts";
import { TokenStatus } from "../../store/tokens.ts";
import { Role, type User, UserStatus } from "../../store/users.ts";
import { bareKey, hashTokenKey } from "../../crypto/token_key.ts";
import { IpMatcher } from "../../net/ip.ts";
import { groupRatios, parseTokenAutoGroups, requestAutoGroups, usableGroups } from "../../options/groups.ts";
import { RelayError } from "../formats/errors.ts";
import { forbidden, unauthorized } from "./errors.ts";

export interface Caller {
  user: User;
  /** Null for console (playground) requests, which are billed to the user alone. */
  token: TokenView | null;
  /** The group requests route and are priced through (token group, else the user's group). */
  usingGroup: string;
  /** An admin's `sk-<key>-<channelId>`: this channel only, no retries. */
  pinnedChannelId?: number;
  /**
   * A token of group "auto": the groups it may route through, in order (its own `auto_groups`, else
   * `AutoGroups`); empty when none is usable, which admission refuses as New API does.
   */
  autoGroups?: string[];
}

/** The key a client presented on `path`, or undefined. */
export function presentedKey(path: string, headers: Headers, url: URL): string | undefined {
  if (/^\/v1beta\/(openai\/)?models|^\/v1\/models(\/|$)/.test(path)) {
    const goog = headers.get("x-goog-api-key") || url.searchParams.get("key");
    if (goog) return goog;
  }
  if (path.includes("/v1/messages") || path.includes("/v1/models")) {
    const anthropic = headers.get("x-api-key");
    if (anthropic) return anthropic;
  }
  const auth = headers.get("authorization");
  return auth && auth.trim() ? auth : undefined;
}

const matchers = new WeakMap<TokenView, IpMatcher>();

function ipAllowed(token: TokenView, clientIp: string): boolean {
  if (token.allowIpList.length === 0) return true;
  let m = matchers.get(token);
  if (!m) matchers.set(token, m = IpMatcher.parse(token.allowIpList.join(",")).matcher);
  return m.matches(clientIp);
}

/** Whether `user` may route through `group` (New API: usable for the user, and priced or "auto"). */
export function groupUsable(catalog: Catalog, user: User, group: string): boolean {
  if (!(group in usableGroups(catalog, user.group))) return false;
  return group === "auto" || group in groupRatios(catalog);
}

/** The enabled user behind a request, or the matching error. */
export function enabledUser(catalog: Catalog, userId: number): User {
  const user = catalog.user(userId);
  if (!user || user.deleted) throw unauthorized();
  if (user.status !== UserStatus.enabled) throw forbidden("This user has been disabled", "user_disabled");
  return user;
}

/** Keys that matched a token lately, remembered with their hash (else one HMAC per request). */
const KEY_HASH_MEMO_ENTRIES = 10_000;
const keyHashes = new Map<string, Map<string, string>>();

/**
 * The token of a bare key, looked up by its hash in the catalog on every call (a revoked or rotated key
 * fails at once); only the hash of a key that matched is remembered, so unknown keys cannot churn it.
 */
function tokenOfKey(catalog: Catalog, cryptoSecret: string, key: string): TokenView | undefined {
  let memo = keyHashes.get(cryptoSecret);
  if (!memo) keyHashes.set(cryptoSecret, memo = new Map());
  const known = memo.get(key);
  const hash = known ?? hashTokenKey(cryptoSecret, key);
  const token = catalog.tokenByHash(hash);
  if (token && known === undefined) {
    if (memo.size >= KEY_HASH_MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
    memo.set(key, hash);
  }
  return token;
}

export function authenticateKey(
  catalog: Catalog,
  cryptoSecret: string,
  presented: string | undefined,
  clientIp: string,
  now = Math.floor(Date.now() / 1000),
): Caller {
  if (!presented) throw unauthorized();
  const [key, pin, ...rest] = bareKey(presented).split("-");
  if (!key || key.length > 128 || rest.length > 0) throw unauthorized();
  const token = tokenOfKey(catalog, cryptoSecret, key);
  if (!token) throw unauthorized();
  if (token.status === TokenStatus.expired || (token.expiredTime !== -1 && token.expiredTime < now)) {
    throw new RelayError(401, "This token has expired", { code: "token_expired" });
  }
  if (token.status === TokenStatus.exhausted || (!token.unlimitedQuota && token.remainQuota <= 0)) {
    throw new RelayError(401, "This token's quota is used up", { code: "token_quota_exhausted" });
  }
  if (token.status !== TokenStatus.enabled) {
    throw new RelayError(401, "This token is disabled", { code: "token_disabled" });
  }
  if (!ipAllowed(token, clientIp)) {
    throw forbidden("Your IP address is not allowed to use this token");
  }
  const user = enabledUser(catalog, token.userId);
  let usingGroup = user.group;
  if (token.group) {
    if (!groupUsable(catalog, user, token.group)) {
      throw forbidden(`This token's group "${token.group}" is not available to you`, "group_unavailable");
    }
    usingGroup = token.group;
  }
  const caller: Caller = { user, token, usingGroup };
  if (usingGroup === "auto") {
    // New API walks the token's own list or `AutoGroups` (those this user may use now); routing picks
    // the first that serves the model (admit.ts).
    const groups = requestAutoGroups(catalog, user.group, parseTokenAutoGroups(token.autoGroups));
    caller.usingGroup = groups[0] ?? user.group;
    caller.autoGroups = groups;
  }
  if (pin !== undefined) {
    if (user.role < Role.admin) {
      throw forbidden("Only administrators may pin a channel", "channel_pin_denied");
    }
    const id = Number(pin);
    if (!/^\d{1,9}$/.test(pin) || id <= 0) throw unauthorized();
    caller.pinnedChannelId = id;
  }
  return caller;
}
