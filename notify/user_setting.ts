/**
 * The notification part of New API's `UserSetting`, read from the `users.setting` JSON text. Unknown
 * fields are kept by whoever writes the column; here a bad or missing value means "no preferences".
 */
import { z } from "zod";

export const notifyTypes = ["email", "webhook", "bark", "gotify"] as const;
export type NotifyType = typeof notifyTypes[number];

const text = z.string().optional().catch(undefined);

const schema = z.object({
  notify_type: z.enum(notifyTypes).optional().catch(undefined),
  quota_warning_threshold: z.number().nonnegative().optional().catch(undefined),
  webhook_url: text,
  webhook_secret: text,
  notification_email: text,
  bark_url: text,
  gotify_url: text,
  gotify_token: text,
  gotify_priority: z.number().int().optional().catch(undefined),
});

export type UserSetting = z.infer<typeof schema>;

/** Parses `users.setting`; never throws (a corrupt column must not stop billing or notifications). */
export function parseUserSetting(json: string | null | undefined): UserSetting {
  if (!json) return {};
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
