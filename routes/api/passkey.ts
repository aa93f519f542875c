/**
 * New API's passkey routes (WebAuthn through `@simplewebauthn/server`): `GET /api/user/passkey`,
 * `POST /api/user/passkey/register/{begin,finish}`, `DELETE /api/user/passkey`,
 * `POST /api/user/passkey/login/{begin,finish}` (discoverable credentials: no username asked), and for
 * admins `DELETE /api/user/:id/reset_passkey`. Each ceremony's challenge lives in KV, spent by its finish:
 * a registration's under the signed-in user, a sign-in's under a cookie of the browser that began it.
 * The relying party is `passkey.rp_id` (default: ServerAddress's host) and the accepted origins
 * `passkey.origins` (default: ServerAddress's origin); plain-HTTP origins other than localhost need
 * `passkey.allow_insecure_origin`. A passkey sign-in is a second factor of its own: 2FA is not asked.
 * `POST /api/user/passkey/verify/{begin,finish}` is New API's step-up with the user's own passkey.
 */
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, forbidden, notFound } from "./errors.ts";
import { idParam, readJson } from "./input.ts";
import { z } from "zod";
import { type AuthEnv, authOf, requireAdmin, requireUser, sameOriginOnly } from "../../auth/middleware.ts";
import { canManageRole } from "../../auth/roles.ts";
import { randomToken } from "../../auth/oauth_state.ts";
import { deriveKey } from "../../crypto/keys.ts";
import { updateKey } from "../../kv/key_update.ts";
import { forwardedView, publicUrl } from "../../server/client_ip.ts";
import { optionRegistry as o } from "../../options/index.ts";
import {
  deletePasskeyByUser,
  getPasskeyByCredentialId,
  getPasskeyByUser,
  type Passkey,
  recordPasskeyUse,
  savePasskey,
} from "../../store/passkeys.ts";
import { markSecureVerified } from "../../auth/secure_verification.ts";
import { getUser, UserStatus } from "../../store/users.ts";
import { log } from "../../server/logger.ts";
import { finishSignIn } from "./user_auth.ts";

const CHALLENGE_SECONDS = 300;
const LOGIN_COOKIE = "passkey_login";
const b64 = (b64url: string) => Buffer.from(b64url, "base64url").toString("base64");
const b64url = (b64: string) => Buffer.from(b64, "base64").toString("base64url");
/** The browser's JSON, checked loosely: the library checks every field that matters. */
const credentialJson = z.object({
  id: z.string().min(1).max(1024),
  response: z.record(z.string(), z.unknown()),
})
  .passthrough();

export function passkeyRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const cat = deps.catalog;

  const relyingParty = (c: Context) => {
    const server = o.string(cat, "ServerAddress").replace(/\/+$/, "");
    const base = server ? new URL(server) : publicUrl(c);
    const rpID = o.string(cat, "passkey.rp_id") || base.hostname;
    const origins = o.string(cat, "passkey.origins").split(/[\s,]+/).filter(Boolean);
    const expectedOrigin = origins.length > 0 ? origins : [base.origin];
    const insecureOk = o.bool(cat, "passkey.allow_insecure_origin");
    for (const origin of expectedOrigin) {
      const url = new URL(origin);
      if (url.protocol !== "https:" && url.hostname !== "localhost" && !insecureOk) {
        throw apiError(503, "api.passkey_insecure_origin");
      }
    }
    const uv = o.string(cat, "passkey.user_verification") || "preferred";
    const userVerification = (["required", "preferred", "discouraged"].includes(uv) ? uv : "preferred") as
      | "required"
      | "preferred"
      | "discouraged";
    return {
      rpID,
      expectedOrigin,
      userVerification,
      rpName: o.string(cat, "passkey.rp_display_name") || o.string(cat, "SystemName"),
    };
  };
  const requireEnabled = () => {
    if (!o.bool(cat, "passkey.enabled")) throw apiError(403, "api.passkey_disabled");
  };
  const keyed = (text: string) =>
    createHmac("sha256", deriveKey(deps.secrets.sessionSecret, "passkey-challenge")).update(text).digest(
      "base64url",
    );
  const putChallenge = (key: Deno.KvKey, challenge: string) =>
    updateKey<{ challenge: string; expiresAt: number }, void>(deps.kv, key, (_s, now) => ({
      state: { challenge, expiresAt: now + CHALLENGE_SECONDS * 1000 },
      result: undefined,
      expireInMs: CHALLENGE_SECONDS * 1000,
    }));
  const takeChallenge = (key: Deno.KvKey) =>
    updateKey<{ challenge: string; expiresAt: number }, string | undefined>(deps.kv, key, (s, now) => ({
      state: undefined,
      result: s && s.expiresAt > now ? s.challenge : undefined,
    }));
  const refused = (err: unknown) => {
    log.warn("passkey ceremony refused", { error: String(err) });
    return badRequest("api.passkey_verification_failed");
  };

  /** Verifies `body` as an assertion of `stored` for `challenge` and records its counter, or throws. */
  const checkAssertion = async (
    c: Context,
    body: z.infer<typeof credentialJson>,
    challenge: string,
    stored: Passkey,
  ): Promise<void> => {
    const rp = relyingParty(c);
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response: body as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.expectedOrigin,
        expectedRPID: rp.rpID,
        credential: {
          id: b64url(stored.credentialId),
          publicKey: new Uint8Array(Buffer.from(stored.publicKey, "base64")),
          counter: stored.signCount,
          transports: stored.transports as never,
        },
        requireUserVerification: rp.userVerification === "required",
      });
    } catch (err) {
      throw refused(err);
    }
    if (!result.verified) throw refused("not verified");
    const info = result.authenticationInfo;
    if (
      !(await recordPasskeyUse(
        deps.db,
        stored.id,
        stored.signCount,
        info.newCounter,
        info.credentialBackedUp,
      ))
    ) {
      throw refused("the credential was used concurrently");
    }
  };

  app.get("/api/user/passkey", requireUser(deps), async (c) => {
    const found = await getPasskeyByUser(deps.db, authOf(c).user.id);
    if (!found) return ok(c, { enabled: false });
    // New API's `*time.Time`: an RFC 3339 time, or null before the first use.
    const lastUsed = found.lastUsedAt ? new Date(found.lastUsedAt * 1000).toISOString() : null;
    return ok(c, { enabled: true, last_used_at: lastUsed });
  });

  app.post("/api/user/passkey/register/begin", requireUser(deps), async (c) => {
    requireEnabled();
    const { user } = authOf(c);
    const rp = relyingParty(c);
    const existing = await getPasskeyByUser(deps.db, user.id);
    const attachment = o.string(cat, "passkey.attachment_preference");
    const options = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpID,
      userName: user.username,
      userDisplayName: user.displayName || user.username,
      userID: new TextEncoder().encode(String(user.id)),
      attestationType: "none",
      excludeCredentials: existing ? [{ id: b64url(existing.credentialId) }] : [],
      authenticatorSelection: {
        residentKey: "required",
        userVerification: rp.userVerification,
        ...(attachment === "platform" || attachment === "cross-platform"
          ? { authenticatorAttachment: attachment }
          : {}),
      },
    });
    await putChallenge(["passkey_challenge", "register", user.id], options.challenge);
    // go-webauthn's CredentialCreation / CredentialAssertion, which New API answers: `{publicKey: ...}`.
    return ok(c, { options: { publicKey: options } });
  });

  app.post("/api/user/passkey/register/finish", requireUser(deps), async (c) => {
    requireEnabled();
    const { user } = authOf(c);
    const body = await readJson(c, credentialJson);
    const challenge = await takeChallenge(["passkey_challenge", "register", user.id]);
    if (!challenge) throw badRequest("api.passkey_challenge_expired");
    const rp = relyingParty(c);
    let result;
    try {
      result = await verifyRegistrationResponse({
        response: body as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.expectedOrigin,
        expectedRPID: rp.rpID,
        requireUserVerification: rp.userVerification === "required",
      });
    } catch (err) {
      throw refused(err);
    }
    if (!result.verified || !result.registrationInfo) throw refused("not verified");
    const info = result.registrationInfo;
    const credentialId = b64(info.credential.id);
    const holder = await getPasskeyByCredentialId(deps.db, credentialId);
    if (holder && holder.userId !== user.id) throw apiError(409, "api.passkey_taken");
    await savePasskey(deps.db, {
      userId: user.id,
      credentialId,
      publicKey: Buffer.from(info.credential.publicKey).toString("base64"),
      attestationType: info.fmt,
      aaguid: info.aaguid,
      signCount: info.credential.counter,
      userVerified: info.userVerified,
      backupEligible: info.credentialDeviceType === "multiDevice",
      backupState: info.credentialBackedUp,
      transports: info.credential.transports ?? [],
      attachment: typeof body.authenticatorAttachment === "string" ? body.authenticatorAttachment : "",
    });
    return ok(c);
  });

  app.delete("/api/user/passkey", requireUser(deps), async (c) => {
    await deletePasskeyByUser(deps.db, authOf(c).user.id);
    return ok(c);
  });

  // Secure verification (step-up) with the signed-in user's own passkey: a real assertion, checked as at
  // sign-in, is what marks this session verified (never the mere presence of a passkey).
  app.post("/api/user/passkey/verify/begin", requireUser(deps), async (c) => {
    requireEnabled();
    const auth = authOf(c);
    if (auth.via !== "session" || auth.sessionId === undefined) {
      throw apiError(401, "api.secure_verification_session_only");
    }
    const stored = await getPasskeyByUser(deps.db, auth.user.id);
    if (!stored) throw notFound("api.passkey_none");
    const rp = relyingParty(c);
    const options = await generateAuthenticationOptions({
      rpID: rp.rpID,
      allowCredentials: [{ id: b64url(stored.credentialId), transports: stored.transports as never }],
      userVerification: rp.userVerification,
    });
    await putChallenge(["passkey_challenge", "verify", auth.sessionId], options.challenge);
    return ok(c, { options: { publicKey: options } });
  });

  app.post("/api/user/passkey/verify/finish", requireUser(deps), async (c) => {
    requireEnabled();
    const auth = authOf(c);
    if (auth.via !== "session" || auth.sessionId === undefined) {
      throw apiError(401, "api.secure_verification_session_only");
    }
    const body = await readJson(c, credentialJson);
    const challenge = await takeChallenge(["passkey_challenge", "verify", auth.sessionId]);
    if (!challenge) throw badRequest("api.passkey_challenge_expired");
    const stored = await getPasskeyByCredentialId(deps.db, b64(body.id));
    // Another user's credential proves nothing about this one.
    if (!stored || stored.userId !== auth.user.id) throw refused("credential of another user");
    await checkAssertion(c, body, challenge, stored);
    const until = await markSecureVerified(deps, auth.sessionId, "passkey");
    return ok(c, { verified: true, method: "passkey", expires_at: Math.floor(until / 1000) });
  });

  app.post("/api/user/passkey/login/begin", sameOriginOnly(), async (c) => {
    requireEnabled();
    const rp = relyingParty(c);
    const options = await generateAuthenticationOptions({
      rpID: rp.rpID,
      allowCredentials: [],
      userVerification: rp.userVerification,
    });
    const ceremony = randomToken();
    setCookie(c, LOGIN_COOKIE, ceremony, {
      path: "/api/user/passkey/login",
      httpOnly: true,
      sameSite: "Strict",
      secure: deps.config.sessionCookieSecure || forwardedView(c).proto === "https",
      maxAge: CHALLENGE_SECONDS,
    });
    await putChallenge(["passkey_challenge", "login", keyed(ceremony)], options.challenge);
    // go-webauthn's CredentialCreation / CredentialAssertion, which New API answers: `{publicKey: ...}`.
    return ok(c, { options: { publicKey: options } });
  });

  app.post("/api/user/passkey/login/finish", sameOriginOnly(), async (c) => {
    requireEnabled();
    const body = await readJson(c, credentialJson, deps.config.anonymousRequestBodyBytes);
    const ceremony = getCookie(c, LOGIN_COOKIE) ?? "";
    const challenge = ceremony && ceremony.length <= 64
      ? await takeChallenge(["passkey_challenge", "login", keyed(ceremony)])
      : undefined;
    if (!challenge) throw badRequest("api.passkey_challenge_expired");
    const stored = await getPasskeyByCredentialId(deps.db, b64(body.id));
    if (!stored) throw refused("unknown credential");
    const handle = body.response.userHandle;
    if (
      typeof handle === "string" && handle !== "" &&
      Buffer.from(handle, "base64url").toString() !== String(stored.userId)
    ) {
      throw refused("user handle does not match the credential");
    }
    const user = await getUser(deps.db, stored.userId);
    if (!user || user.status !== UserStatus.enabled) throw forbidden("api.user_disabled");
    await checkAssertion(c, body, challenge, stored);
    return await finishSignIn(deps, c, user.id, { secondFactorDone: true, method: "passkey" });
  });

  app.delete("/api/user/:id/reset_passkey", requireAdmin(deps), async (c) => {
    const id = idParam(c, "api.user_not_found");
    const target = await getUser(deps.db, id);
    if (!target) throw notFound("api.user_not_found");
    if (!canManageRole(authOf(c).user.role, target.role)) throw forbidden("api.cannot_manage_role");
    if (!(await deletePasskeyByUser(deps.db, id))) throw badRequest("api.passkey_none");
    return ok(c);
  });

  return app;
}
