/**
 * Creating an account, the one way for every sign-up (password registration, OAuth): the user row, an
 * external binding and the inviter's reward in one transaction, New API's new-user and invitee quota,
 * cache events, and the first token when GENERATE_DEFAULT_TOKEN is on.
 */
import type { AppDeps } from "../server/deps.ts";
import { creditInviter } from "../store/invites.ts";
import { optionRegistry } from "../options/index.ts";
import type { Db } from "../store/db.ts";
import { insertUser, Role } from "../store/users.ts";
import { createToken } from "../store/tokens.ts";
import { defaultUseAutoGroup } from "../options/groups.ts";

export interface NewAccount {
  username: string;
  passwordHash: string;
  displayName: string;
  email?: string;
  inviterId?: number;
  /** Binds the external account the sign-up came with, inside the transaction that creates the user. */
  bind?: (tx: Db, userId: number) => Promise<void>;
}

/** Creates the account and returns its id; a taken username surfaces as UniqueViolation. */
export async function createAccount(deps: AppDeps, account: NewAccount): Promise<number> {
  const { inviterId } = account;
  const inviteeReward = inviterId ? optionRegistry.int(deps.catalog, "QuotaForInvitee") : 0;
  const inviterReward = inviterId ? optionRegistry.int(deps.catalog, "QuotaForInviter") : 0;
  // The user and the inviter's reward are one transaction: a registration rewards its inviter once.
  const id = await deps.db.transaction(async (tx) => {
    const created = await insertUser(tx, {
      username: account.username,
      passwordHash: account.passwordHash,
      displayName: account.displayName,
      email: account.email,
      role: Role.common,
      quota: optionRegistry.int(deps.catalog, "QuotaForNewUser") + Math.max(0, inviteeReward),
      inviterId,
    });
    if (account.bind) await account.bind(tx, created);
    if (inviterId && inviterReward > 0) await creditInviter(tx, inviterId, inviterReward);
    return created;
  });
  await deps.cache.publish({ kind: "user", id });
  if (inviterId && inviterReward > 0) await deps.cache.publish({ kind: "user", id: inviterId });
  if (deps.config.generateDefaultToken) {
    const { token } = await createToken(deps.db, deps.secrets.cryptoSecret, id, {
      name: `${account.username}'s first token`,
      unlimitedQuota: true,
      remainQuota: 500000,
      // New API's DefaultUseAutoGroup: the first token routes through the auto groups.
      ...(defaultUseAutoGroup(deps.catalog) ? { group: "auto" } : {}),
    });
    await deps.cache.publish({ kind: "token", id: token.id });
  }
  return id;
}
