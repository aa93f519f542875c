/**
 * At most NOTIFY_LIMIT_COUNT notifications per NOTIFICATION_LIMIT_DURATION_MINUTE per user and notice
 * type. The window starts at the first notification (New API's TTL key), and is kept in KV so every
 * instance sharing the KV shares it.
 */
import { updateKey } from "../kv/key_update.ts";

interface Window {
  count: number;
  resetAt: number;
}

/** Counts one notification if the window has room; false means throttled (nothing counted). */
export function takeNotifySlot(
  kv: Deno.Kv,
  userId: number,
  type: string,
  limit: { count: number; minutes: number },
): Promise<boolean> {
  const windowMs = limit.minutes * 60_000;
  return updateKey<Window, boolean>(kv, ["notify", "throttle", userId, type], (stored, now) => {
    const current = stored && stored.resetAt > now ? stored : { count: 0, resetAt: now + windowMs };
    if (current.count >= limit.count) return { state: stored, result: false };
    return {
      state: { count: current.count + 1, resetAt: current.resetAt },
      result: true,
      expireInMs: current.resetAt - now + 1000,
    };
  });
}
