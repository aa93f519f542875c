/**
 * Checking a second factor the way New API does: a TOTP code, or failing that a backup code (spent on
 * use), against the user's `two_fas` row; 5 wrong codes lock it for 5 minutes (its MaxFailAttempts and
 * LockoutDuration). A TOTP code works once: the step it belongs to is recorded. Between the password and
 * the code, sign-in waits in a single-use flow in KV, named by a token the client holds (in the answer,
 * and in an HttpOnly cookie for front-ends that only keep the session).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createHmac } from "node:crypto";
import type { AppDeps } from "../server/deps.ts";
import { forwardedView } from "../server/client_ip.ts";
import { updateKey } from "../kv/key_update.ts";
import { deriveKey } from "../crypto/keys.ts";
import { decryptWithPurpose, encryptWithPurpose } from "../crypto/channel_key.ts";
import { hashPassword, verifyPassword } from "../crypto/password.ts";
import { nowSeconds } from "../store/db.ts";
import {
  clearTwoFaFailures,
  getTwoFa,
  recordTwoFaFailure,
  recordTwoFaSuccess,
  spendBackupCode,
  type TwoFa,
  unusedBackupCodes,
} from "../store/two_fa.ts";
import { matchTotp, TOTP_STEP_SECONDS, totpStep } from "./totp.ts";
import { randomToken } from "./oauth_state.ts";

export const MAX_2FA_ATTEMPTS = 5;
export const TWO_FA_LOCK_SECONDS = 300;
export const BACKUP_CODE_COUNT = 8;
const FLOW_SECONDS = 300;
export const LOGIN_2FA_COOKIE = "login_2fa";

export type FactorAnswer =
  | { ok: true; via: "totp" | "backup" }
  | { ok: false; why: "not_enabled" | "wrong" }
  | { ok: false; why: "locked"; retryAfterSeconds: number };

export const sealTotpSecret = (cryptoSecret: string, secret: string) =>
  encryptWithPurpose(cryptoSecret, "totp-secret", secret);
export const openTotpSecret = (cryptoSecret: string, stored: string) =>
  decryptWithPurpose(cryptoSecret, "totp-secret", stored);

const BACKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Backup codes as shown once (`XXXX-XXXX`) and their bcrypt hashes (of the normalised code) to store. */
export async function newBackupCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes: string[] = [];
  for (let i = 0; i < BACKUP_CODE_COUNT; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const text = Array.from(bytes, (b) => BACKUP_ALPHABET[b % BACKUP_ALPHABET.length]).join("");
    codes.push(`${text.slice(0, 4)}-${text.slice(4)}`);
  }
  return { codes, hashes: await Promise.all(codes.map((c) => hashPassword(normalizeBackupCode(c)))) };
}

export function normalizeBackupCode(code: string): string {
  return code.trim().toUpperCase().replace(/[\s-]/g, "");
}

/** A TOTP code for the row, if it is right and newer than the last one used: the time to record. */
export function totpUse(
  cryptoSecret: string,
  row: TwoFa,
  code: string,
  now = nowSeconds(),
): number | undefined {
  const step = matchTotp(
    openTotpSecret(cryptoSecret, row.secret),
    code.trim(),
    now,
    row.lastUsedAt ? totpStep(row.lastUsedAt) : -1,
  );
  // Recorded as the later of now and the step's start, so a code from the next step cannot come back.
  return step === undefined ? undefined : Math.max(now, step * TOTP_STEP_SECONDS);
}

/**
 * Checks `code` for an enabled 2FA (`allowBackup`: backup codes count too). Wrong codes are counted and
 * lock the row; a locked row checks nothing.
 */
export async function checkSecondFactor(
  deps: AppDeps,
  userId: number,
  code: string,
  allowBackup = true,
): Promise<FactorAnswer> {
  const row = await getTwoFa(deps.db, userId);
  if (!row || !row.enabled) return { ok: false, why: "not_enabled" };
  const now = nowSeconds();
  if (row.lockedUntil > now) return { ok: false, why: "locked", retryAfterSeconds: row.lockedUntil - now };
  const usedAt = totpUse(deps.secrets.cryptoSecret, row, code, now);
  if (usedAt !== undefined && await recordTwoFaSuccess(deps.db, userId, usedAt)) {
    return { ok: true, via: "totp" };
  }
  const backup = normalizeBackupCode(code);
  if (usedAt === undefined && allowBackup && /^[A-Z0-9]{8}$/.test(backup)) {
    for (const candidate of await unusedBackupCodes(deps.db, userId)) {
      if (await verifyPassword(backup, candidate.hash) && await spendBackupCode(deps.db, candidate.id)) {
        await clearTwoFaFailures(deps.db, userId);
        return { ok: true, via: "backup" };
      }
    }
  }
  await recordTwoFaFailure(deps.db, userId, MAX_2FA_ATTEMPTS, TWO_FA_LOCK_SECONDS);
  return { ok: false, why: "wrong" };
}

interface PendingLogin {
  userId: number;
  authVersion: number;
  expiresAt: number;
}

function flowKey(deps: AppDeps, token: string): Deno.KvKey {
  return [
    "login_2fa",
    createHmac("sha256", deriveKey(deps.secrets.sessionSecret, "login-2fa")).update(token).digest(
      "base64url",
    ),
  ];
}

/** Parks a password-checked sign-in until its second factor; returns the flow token. */
export async function startPendingLogin(
  deps: AppDeps,
  c: Context,
  userId: number,
  authVersion: number,
): Promise<string> {
  const token = randomToken(24);
  const pending: PendingLogin = { userId, authVersion, expiresAt: Date.now() + FLOW_SECONDS * 1000 };
  await updateKey<PendingLogin, void>(deps.kv, flowKey(deps, token), () => ({
    state: pending,
    result: undefined,
    expireInMs: FLOW_SECONDS * 1000,
  }));
  setCookie(c, LOGIN_2FA_COOKIE, token, {
    path: "/api/user/login",
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.config.sessionCookieSecure || forwardedView(c).proto === "https",
    maxAge: FLOW_SECONDS,
  });
  return token;
}

/** The pending sign-in a token (from the body or the cookie) names, still unexpired; not spent. */
export async function peekPendingLogin(deps: AppDeps, c: Context, bodyToken?: string) {
  const token = bodyToken || getCookie(c, LOGIN_2FA_COOKIE) || "";
  if (!token || token.length > 64) return undefined;
  // Read through `updateKey` (state left as it is), which is where a Redis key backend keeps it.
  const pending = await updateKey<PendingLogin, PendingLogin | undefined>(
    deps.kv,
    flowKey(deps, token),
    (state) => ({ state, result: state }),
  );
  if (!pending || pending.expiresAt <= Date.now()) return undefined;
  return { token, pending };
}

/** Spends the flow (true once); clears its cookie. */
export async function endPendingLogin(deps: AppDeps, c: Context, token: string): Promise<boolean> {
  if (getCookie(c, LOGIN_2FA_COOKIE) !== undefined) {
    deleteCookie(c, LOGIN_2FA_COOKIE, { path: "/api/user/login" });
  }
  return await updateKey<PendingLogin, boolean>(deps.kv, flowKey(deps, token), (state, now) => ({
    state: undefined,
    result: state !== undefined && state.expiresAt > now,
  }));
}
