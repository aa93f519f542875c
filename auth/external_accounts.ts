/**
 * What every external sign-in (OAuth providers, WeChat, custom providers) does with the identity it got:
 * sign in the user bound to it, sign up a new one (with RegisterEnabled, New API's `<prefix><max id + 1>`
 * username unless the provider's is free), or bind it to a signed-in user, refusing an account another
 * user holds. Where a binding lives is the `ExternalAccounts`' business: a `users` column for New API's
 * built-in providers, a `user_oauth_bindings` row for custom ones.
 */
import type { AppDeps } from "../server/deps.ts";
import type { Db } from "../store/db.ts";
import { UniqueViolation } from "../store/db.ts";
import { apiError, forbidden } from "../routes/api/errors.ts";
import { optionRegistry as o } from "../options/index.ts";
import {
  type BindingColumn,
  findUserByBinding,
  getUserIdByAffCode,
  getUserIdsByEmail,
  maxUserId,
  setUserBinding,
  usernameExists,
} from "../store/users.ts";
import { createAccount } from "./accounts.ts";
import { MAX_USERNAME_CHARS } from "./credentials.ts";
import { normalizeEmail } from "./email_codes.ts";

export interface ExternalIdentity {
  providerUserId: string;
  /** An older id the same account was bound by (GitHub's login); a binding by it moves to the new id. */
  legacyId?: string;
  username: string;
  displayName: string;
  /** Empty when the provider gives none, or says it is not verified. */
  email: string;
}

export interface ExternalAccounts {
  /** The provider's name in messages ("GitHub", "WeChat", a custom provider's name). */
  name: string;
  /** Username prefix of sign-ups (`github_12`). */
  prefix: string;
  /** The user bound to `externalId`, deleted ones included (a deleted user's binding stays taken). */
  find(externalId: string): Promise<{ id: number; deleted: boolean } | undefined>;
  /** Binds `externalId` to the user (replacing the user's earlier account of this provider). */
  bind(db: Db, userId: number, externalId: string): Promise<void>;
}

/** Accounts bound through one of New API's `users` columns (github_id, wechat_id, ...). */
export function columnAccounts(
  deps: AppDeps,
  target: { name: string; prefix: string; column: BindingColumn },
): ExternalAccounts {
  return {
    name: target.name,
    prefix: target.prefix,
    find: (externalId) => findUserByBinding(deps.db, target.column, externalId),
    bind: async (db, userId, externalId) => {
      await setUserBinding(db, userId, target.column, externalId);
    },
  };
}

/** Binds `found` to `userId`; 409 when a user (a deleted one too) holds that account already, as New API. */
export async function bindExternal(
  deps: AppDeps,
  accounts: ExternalAccounts,
  userId: number,
  found: ExternalIdentity,
): Promise<void> {
  for (const id of [found.providerUserId, found.legacyId]) {
    if (id && await accounts.find(id)) {
      throw apiError(409, "api.oauth_already_bound", { provider: accounts.name });
    }
  }
  await accounts.bind(deps.db, userId, found.providerUserId);
  await deps.cache.publish({ kind: "user", id: userId });
}

/** The user `found` signs in as, signing one up when nobody holds that account. */
export async function signInOrUpExternal(
  deps: AppDeps,
  accounts: ExternalAccounts,
  found: ExternalIdentity,
  aff?: string,
): Promise<number> {
  const bound = await accounts.find(found.providerUserId);
  if (bound) {
    if (bound.deleted) throw apiError(403, "api.oauth_user_deleted", { provider: accounts.name });
    return bound.id;
  }
  if (found.legacyId) {
    // GitHub accounts New API bound by login before it switched to the numeric id move to the id.
    const legacy = await accounts.find(found.legacyId);
    if (legacy && !legacy.deleted) {
      await accounts.bind(deps.db, legacy.id, found.providerUserId);
      await deps.cache.publish({ kind: "user", id: legacy.id });
      return legacy.id;
    }
  }
  if (!o.bool(deps.catalog, "RegisterEnabled")) throw forbidden("api.register_disabled");
  let username = `${accounts.prefix}${(await maxUserId(deps.db)) + 1}`;
  if (
    found.username && [...found.username].length <= MAX_USERNAME_CHARS &&
    !(await usernameExists(deps.db, found.username))
  ) {
    username = found.username;
  }
  const email = found.email ? normalizeEmail(found.email) : undefined;
  if (email && (await getUserIdsByEmail(deps.db, email)).length > 0) throw apiError(409, "api.email_taken");
  const inviterId = aff ? await getUserIdByAffCode(deps.db, aff) : undefined;
  try {
    return await createAccount(deps, {
      username,
      passwordHash: "",
      displayName: found.displayName || found.username || `${accounts.name} User`,
      email,
      inviterId,
      bind: (tx, userId) => accounts.bind(tx, userId, found.providerUserId),
    });
  } catch (err) {
    if (err instanceof UniqueViolation) throw apiError(409, "api.username_taken");
    throw err;
  }
}
