/**
 * `PUT /api/user/setting`: the signed-in user's notification preferences (New API's body: `notify_type`,
 * `quota_warning_threshold`, the destination of that type, `accept_unset_model_ratio_model`,
 * `record_ip_log`). Destinations of other types are cleared; a webhook secret or Gotify token left empty
 * keeps the stored one, and so does the masked Bark URL `GET /api/user/self` shows. Secrets are stored
 * encrypted (../../notify/setting_secrets.ts). Other fields of `users.setting` (language, sidebar) are kept.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest } from "./errors.ts";
import { readJson } from "./input.ts";
import { msgFor } from "./messages.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { getUser, updateUser } from "../../store/users.ts";
import { asJsonObject } from "../../store/db.ts";
import { notifyTypes } from "../../notify/user_setting.ts";
import { maskedBarkUrl, sealSettingSecrets } from "../../notify/setting_secrets.ts";
import { isMailbox } from "../../notify/email.ts";

const url = z.string().trim().max(2048);
const secret = z.string().max(512);

const settingBody = z.object({
  notify_type: z.string().max(16),
  quota_warning_threshold: z.number().max(Number.MAX_SAFE_INTEGER),
  webhook_url: url.optional(),
  webhook_secret: secret.optional(),
  notification_email: z.string().trim().max(254).optional(),
  bark_url: url.optional(),
  gotify_url: url.optional(),
  gotify_token: secret.optional(),
  gotify_priority: z.int().optional(),
  accept_unset_model_ratio_model: z.boolean().optional(),
  record_ip_log: z.boolean().optional(),
});

type SettingBody = z.output<typeof settingBody>;

/** A required http(s) URL field of the chosen notification type. */
function httpUrl(field: string, value: string | undefined): string {
  if (!value) throw badRequest("api.setting_url_required", { field });
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw badRequest("api.setting_url_invalid", { field });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw badRequest("api.setting_url_invalid", { field });
  }
  return value;
}

/** The notification fields to store, checked as New API checks them. */
function notificationFields(
  body: SettingBody,
  stored: Record<string, unknown>,
  cryptoSecret: string,
): Record<string, unknown> {
  if (!(notifyTypes as readonly string[]).includes(body.notify_type)) {
    throw badRequest("api.setting_notify_type_invalid");
  }
  if (!(body.quota_warning_threshold > 0)) throw badRequest("api.setting_threshold_positive");
  const out: Record<string, unknown> = {
    notify_type: body.notify_type,
    quota_warning_threshold: body.quota_warning_threshold,
    webhook_url: "",
    notification_email: "",
    bark_url: "",
    gotify_url: "",
    gotify_token: "",
    gotify_priority: 0,
  };
  switch (body.notify_type) {
    case "webhook":
      out.webhook_url = httpUrl("Webhook", body.webhook_url);
      if (body.webhook_secret) out.webhook_secret = body.webhook_secret;
      break;
    case "email":
      if (body.notification_email) {
        if (!isMailbox(body.notification_email)) throw badRequest("api.setting_email_invalid");
        out.notification_email = body.notification_email;
      }
      break;
    case "bark": {
      const kept = body.bark_url && body.bark_url === maskedBarkUrl(cryptoSecret, stored.bark_url);
      out.bark_url = kept ? stored.bark_url : httpUrl("Bark", body.bark_url);
      break;
    }
    case "gotify": {
      out.gotify_url = httpUrl("Gotify", body.gotify_url);
      const token = body.gotify_token || (typeof stored.gotify_token === "string" ? stored.gotify_token : "");
      if (!token) throw badRequest("api.setting_gotify_token_required");
      out.gotify_token = token;
      const priority = body.gotify_priority ?? 5;
      out.gotify_priority = priority >= 0 && priority <= 10 ? priority : 5;
      break;
    }
  }
  if (body.accept_unset_model_ratio_model !== undefined) {
    out.accept_unset_model_ratio_model = body.accept_unset_model_ratio_model;
  }
  if (body.record_ip_log !== undefined) out.record_ip_log = body.record_ip_log;
  return out;
}

export function userSettingRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.put("/api/user/setting", requireUser(deps), async (c) => {
    const body = await readJson(c, settingBody);
    const user = await getUser(deps.db, authOf(c).user.id);
    if (!user) throw apiError(401, "api.not_logged_in");
    const stored = asJsonObject(user.setting);
    const secret = deps.secrets.cryptoSecret;
    const setting = sealSettingSecrets(secret, { ...stored, ...notificationFields(body, stored, secret) });
    await updateUser(deps.db, user.id, { setting: JSON.stringify(setting) });
    await deps.cache.publish({ kind: "user", id: user.id });
    return ok(c, undefined, msgFor(c, "api.setting_saved"));
  });

  return app;
}
