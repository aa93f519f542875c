/**
 * API tokens of the signed-in user (`/api/token`): list, search, read, create, update (or toggle with
 * `?status_only=true`), delete, batch delete and regenerate. A user only ever sees their own tokens
 * (another user's id answers 404). The full key is in the create and regenerate answers only.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { badRequest, notFound } from "./errors.ts";
import { bodyId, idParam, pageData, queryBool, readJson, readPaging, readQuery } from "./input.ts";
import { tokenView } from "./views.ts";
import { checkCanEnable, createTokenBody, tokenFieldsFrom, updateTokenBody } from "./token_input.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { optionRegistry } from "../../options/index.ts";
import { maxTokenAutoGroups, requestAutoGroups } from "../../options/groups.ts";
import { bareKey, hashTokenKey } from "../../crypto/token_key.ts";
import {
  countUserTokens,
  createToken,
  deleteTokens,
  getToken,
  listTokens,
  regenerateTokenKey,
  type TokenFields,
  TokenStatus,
  updateToken,
} from "../../store/tokens.ts";

const searchQuery = z.object({
  keyword: z.string().max(128).optional(),
  token: z.string().max(256).optional(),
});

const idsBody = z.object({ ids: z.array(bodyId).min(1).max(1000) });

export function tokenRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const signedIn = requireUser(deps);
  const secret = deps.secrets.cryptoSecret;

  const owned = async (c: Context<AuthEnv>, id: number) => {
    const token = await getToken(deps.db, id, authOf(c).user.id);
    if (!token) throw notFound("api.token_not_found");
    return token;
  };

  app.get("/api/token", signedIn, async (c) => {
    const paging = readPaging(c);
    const { items, total } = await listTokens(deps.db, {
      userId: authOf(c).user.id,
      offset: paging.offset,
      limit: paging.pageSize,
    });
    return ok(c, pageData(paging, items.map(tokenView), total));
  });

  app.get("/api/token/search", signedIn, async (c) => {
    const q = readQuery(c, searchQuery);
    const paging = readPaging(c);
    const { items, total } = await listTokens(deps.db, {
      userId: authOf(c).user.id,
      offset: paging.offset,
      limit: paging.pageSize,
      keyword: q.keyword,
      keyHash: q.token ? hashTokenKey(secret, bareKey(q.token)) : undefined,
    });
    return ok(c, pageData(paging, items.map(tokenView), total));
  });

  // New API's GetTokenAutoGroups: the auto groups this user's tokens may list, and how many at most.
  app.get("/api/token/auto-groups", signedIn, (c) => {
    const { user } = authOf(c);
    const groups = requestAutoGroups(deps.catalog, user.group, undefined);
    return ok(c, { groups, max_count: maxTokenAutoGroups(deps.catalog) });
  });

  app.get("/api/token/:id{[0-9]+}", signedIn, async (c) => {
    return ok(c, tokenView(await owned(c, idParam(c, "api.token_not_found"))));
  });

  app.post("/api/token", signedIn, async (c) => {
    const { user } = authOf(c);
    const input = await readJson(c, createTokenBody);
    const fields = tokenFieldsFrom(deps, user.group, input);
    const max = optionRegistry.int(deps.catalog, "token_setting.max_user_tokens");
    if (await countUserTokens(deps.db, user.id) >= max) throw badRequest("api.token_limit_reached", { max });
    const { token, key } = await createToken(deps.db, secret, user.id, { name: "", ...fields });
    await deps.cache.publish({ kind: "token", id: token.id });
    return ok(c, { ...tokenView(token), key });
  });

  app.put("/api/token", signedIn, async (c) => {
    const { user } = authOf(c);
    const statusOnly = readQuery(c, z.object({ status_only: queryBool.optional() })).status_only ?? false;
    const input = await readJson(c, updateTokenBody);
    const existing = await owned(c, input.id);
    const patch: Partial<TokenFields> = statusOnly ? {} : tokenFieldsFrom(deps, user.group, input, existing);
    const settable = input.status === TokenStatus.enabled || input.status === TokenStatus.disabled;
    if (statusOnly && !settable) throw badRequest("api.token_status_invalid");
    if (settable && input.status !== existing.status) {
      if (input.status === TokenStatus.enabled) checkCanEnable(existing, patch);
      patch.status = input.status;
    }
    // A new remain_quota is an absolute value: it lands after the quota book's unwritten settlements.
    if (patch.remainQuota !== undefined) await deps.billing.flush();
    const updated = await updateToken(deps.db, existing.id, user.id, patch);
    if (!updated) throw notFound("api.token_not_found");
    await deps.cache.publish({ kind: "token", id: updated.id });
    return ok(c, tokenView(updated));
  });

  app.delete("/api/token/:id{[0-9]+}", signedIn, async (c) => {
    const id = idParam(c, "api.token_not_found");
    if (await deleteTokens(deps.db, [id], authOf(c).user.id) === 0) throw notFound("api.token_not_found");
    await deps.cache.publish({ kind: "token", id });
    return ok(c);
  });

  app.post("/api/token/batch", signedIn, async (c) => {
    const { ids } = await readJson(c, idsBody);
    const unique = [...new Set(ids)];
    const count = await deleteTokens(deps.db, unique, authOf(c).user.id);
    for (const id of unique) await deps.cache.publish({ kind: "token", id });
    return ok(c, count);
  });

  app.post("/api/token/:id{[0-9]+}/regenerate", signedIn, async (c) => {
    const token = await owned(c, idParam(c, "api.token_not_found"));
    const key = await regenerateTokenKey(deps.db, secret, token.id, token.userId);
    if (!key) throw notFound("api.token_not_found");
    await deps.cache.publish({ kind: "token", id: token.id });
    const fresh = await owned(c, token.id);
    return ok(c, { ...tokenView(fresh), key });
  });

  // New API reveals stored keys here; we keep only a hash, so the answer says how to get a new key.
  app.post("/api/token/:id{[0-9]+}/key", signedIn, async (c) => {
    await owned(c, idParam(c, "api.token_not_found"));
    throw badRequest("api.token_key_not_recoverable");
  });
  app.post("/api/token/batch/keys", signedIn, () => {
    throw badRequest("api.token_key_not_recoverable");
  });

  return app;
}
