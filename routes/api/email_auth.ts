/**
 * Email codes, New API's way: `GET /api/verification?email=` mails a sign-up/binding code,
 * `GET /api/reset_password?email=` mails a reset link (the same answer, in about the same time, whether
 * or not the address belongs to an account), `POST /api/user/reset {email, token}` spends the token and
 * answers a new random password (New API's behaviour; every session and the access token of the account
 * end), `POST /api/oauth/email/bind {email, code}` sets the signed-in user's email. Codes live in KV
 * (`auth/email_codes.ts`).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { ApiError, apiError, badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { type AuthEnv, authOf, requireUser, sameOriginOnly } from "../../auth/middleware.ts";
import { CODE_VALID_MINUTES, type CodeStore, normalizeEmail, randomHex } from "../../auth/email_codes.ts";
import { refuseEmail } from "../../auth/email_rules.ts";
import { emailSettings } from "../../notify/settings.ts";
import { isMailbox, sendEmail } from "../../notify/email.ts";
import { hashPassword } from "../../crypto/password.ts";
import { optionRegistry } from "../../options/index.ts";
import { getUserIdsByEmail, updateUser } from "../../store/users.ts";
import { revokeUserSessions } from "../../store/sessions.ts";
import { log } from "../../server/logger.ts";

const resetBody = z.object({ email: z.string().max(256), token: z.string().max(128) });
const bindBody = z.object({ email: z.string().max(256), code: z.string().max(64) });

/** A new password as New API hands one out after a reset, with more entropy (72 bits). */
function newPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

export function emailAuthRoutes(deps: AppDeps, codes: CodeStore): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const o = optionRegistry;
  const cat = deps.catalog;

  /** The SMTP settings, or a 503 when no server is configured. */
  const smtp = () => {
    const settings = emailSettings(cat);
    if (!settings) throw apiError(503, "api.email_unavailable");
    return settings;
  };

  /** Mails `text` (and `link`, when given) to `to`. */
  const mail = async (to: string, subject: string, text: string, link?: string) => {
    const settings = smtp();
    const content = link ? '<p>{{value}}</p><p><a href="{{value}}">{{value}}</a></p>' : "<p>{{value}}</p>";
    const values = link ? [text, link, link] : [text];
    await sendEmail(settings, to, { type: "auth", title: subject, content, values });
  };

  /** The address a code may go to, or a 400/403 saying why not. */
  const allowedAddress = (raw: string | undefined) => {
    const email = normalizeEmail(raw ?? "");
    const refusal = refuseEmail(email, {
      domainRestriction: o.bool(cat, "EmailDomainRestrictionEnabled"),
      domainWhitelist: o.string(cat, "EmailDomainWhitelist"),
      aliasRestriction: o.bool(cat, "EmailAliasRestrictionEnabled"),
    });
    if (refusal === "invalid") throw badRequest("api.email_invalid");
    if (refusal === "domain") throw apiError(403, "api.email_domain_refused");
    if (refusal === "alias") throw apiError(403, "api.email_alias_refused");
    return email;
  };

  app.get("/api/verification", async (c) => {
    const email = allowedAddress(c.req.query("email"));
    if ((await getUserIdsByEmail(deps.db, email)).length > 0) throw apiError(409, "api.email_taken");
    smtp();
    const code = randomHex(6);
    await codes.issue("v", email, code);
    const system = o.string(cat, "SystemName");
    try {
      await mail(
        email,
        msgFor(c, "api.mail_verification_subject", { system }),
        msgFor(c, "api.mail_verification_body", { system, code, minutes: CODE_VALID_MINUTES }),
      );
    } catch (err) {
      if (err instanceof ApiError) throw err;
      log.error("verification mail failed", { error: String(err) });
      throw apiError(502, "api.email_send_failed");
    }
    return ok(c);
  });

  app.get("/api/reset_password", (c) => {
    const email = normalizeEmail(c.req.query("email") ?? "");
    if (email.length > 50 || !isMailbox(email)) throw badRequest("api.email_invalid");
    const system = o.string(cat, "SystemName");
    const subject = msgFor(c, "api.mail_reset_subject", { system });
    const text = msgFor(c, "api.mail_reset_body", { system, minutes: CODE_VALID_MINUTES });
    // After the answer, lookup included: it must not take longer when the address has an account.
    const sendLink = async () => {
      if ((await getUserIdsByEmail(deps.db, email)).length === 0) return;
      const token = randomHex(32);
      await codes.issue("r", email, token);
      const base = o.string(cat, "ServerAddress").replace(/\/+$/, "");
      // Never the request's Host: a forged one would send the victim's token to the attacker's site.
      await mail(
        email,
        subject,
        text,
        `${base}/user/reset?email=${encodeURIComponent(email)}&token=${token}`,
      );
    };
    // A later task, not just a later microtask: SQLite answers the lookup synchronously.
    setTimeout(() =>
      sendLink().catch((err) => log.error("password reset mail failed", { error: String(err) }))
    );
    return ok(c);
  });

  app.post("/api/user/reset", sameOriginOnly(), async (c) => {
    const body = await readJson(c, resetBody, deps.config.anonymousRequestBodyBytes);
    const email = normalizeEmail(body.email);
    if (!email || !body.token) throw badRequest("api.invalid_reset_link");
    if (!(await codes.consume("r", email, body.token))) throw badRequest("api.invalid_reset_link");
    const ids = await getUserIdsByEmail(deps.db, email);
    if (ids.length === 0) throw badRequest("api.invalid_reset_link");
    const password = newPassword();
    const passwordHash = await hashPassword(password);
    for (const id of ids) {
      // A new password bumps auth_version and drops the access token; the sessions are deleted too.
      await updateUser(deps.db, id, { passwordHash });
      await revokeUserSessions(deps.db, id);
      await deps.cache.publish({ kind: "user", id });
    }
    return ok(c, password);
  });

  app.post("/api/oauth/email/bind", requireUser(deps), async (c) => {
    const body = await readJson(c, bindBody);
    const email = normalizeEmail(body.email);
    if (!(await codes.consume("v", email, body.code))) throw badRequest("api.verification_code_wrong");
    const { user } = authOf(c);
    const owners = await getUserIdsByEmail(deps.db, email);
    if (owners.some((id) => id !== user.id)) throw apiError(409, "api.email_taken");
    await updateUser(deps.db, user.id, { email });
    await deps.cache.publish({ kind: "user", id: user.id });
    return ok(c);
  });

  return app;
}
