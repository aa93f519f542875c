/**
 * New API's per-user model request limit (`ModelRequestRateLimit*` options): within
 * `DurationMinutes`, at most `Count` requests counted up front (failures included; 0 = no limit) and
 * at most `SuccessCount` successful ones, counted after the answer. `Group` overrides both per group
 * (token group first, else user group). Buckets are GCRA (`rate.ts`), one KV value per user.
 */
import { z } from "zod";
import { updateKey } from "../key_update.ts";
import { bucketTtlMs, chargeRate, peekRate, type Rate, retryAfterSeconds, takeRate } from "./rate.ts";

const int32 = 2147483647;

const groupSchema = z.record(
  z.string(),
  z.tuple([z.number().int().min(0).max(int32), z.number().int().min(1).max(int32)]),
);

export interface ModelRequestRateLimitSetting {
  enabled: boolean;
  durationMinutes: number;
  /** Requests per duration, failures included; 0 = unlimited. */
  count: number;
  /** Successful requests per duration; 0 = unlimited. */
  successCount: number;
  /** group → [count, successCount] */
  group: Record<string, [number, number]>;
}

export const defaultModelRequestRateLimit: ModelRequestRateLimitSetting = {
  enabled: false,
  durationMinutes: 1,
  count: 0,
  successCount: 1000,
  group: {},
};

/** Validates a `ModelRequestRateLimitGroup` JSON value as New API does; returns an error message or null. */
export function checkModelRequestRateLimitGroup(json: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(json || "{}");
  } catch {
    return "ModelRequestRateLimitGroup: not valid JSON";
  }
  const parsed = groupSchema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `ModelRequestRateLimitGroup: group "${
    String(issue.path[0] ?? "")
  }" needs [total >= 0, success >= 1]`;
}

/** Reads the setting from New API option values (strings, as stored in the `options` table). */
export function parseModelRequestRateLimit(
  options: Record<string, string | undefined>,
): ModelRequestRateLimitSetting {
  const d = defaultModelRequestRateLimit;
  const int = (raw: string | undefined, fallback: number) => {
    const n = Number(raw);
    return raw !== undefined && raw.trim() !== "" && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
  };
  const groupJson = options.ModelRequestRateLimitGroup;
  const group = groupJson && checkModelRequestRateLimitGroup(groupJson) === null
    ? groupSchema.parse(JSON.parse(groupJson))
    : {};
  return {
    enabled: options.ModelRequestRateLimitEnabled === "true",
    durationMinutes: int(options.ModelRequestRateLimitDurationMinutes, d.durationMinutes),
    count: int(options.ModelRequestRateLimitCount, d.count),
    successCount: int(options.ModelRequestRateLimitSuccessCount, d.successCount),
    group,
  };
}

export interface ModelRequestLimit {
  durationMinutes: number;
  count: number;
  successCount: number;
}

/** The limit that applies to a request, or null when the feature is off. */
export function resolveModelRequestLimit(
  setting: ModelRequestRateLimitSetting,
  tokenGroup: string | undefined,
  userGroup: string,
): ModelRequestLimit | null {
  if (!setting.enabled || setting.durationMinutes <= 0) return null;
  const override = setting.group[tokenGroup || userGroup];
  const [count, successCount] = override ?? [setting.count, setting.successCount];
  return { durationMinutes: setting.durationMinutes, count, successCount };
}

export interface ModelRequestAnswer {
  ok: boolean;
  retryAfterSeconds: number;
  message?: string;
}

interface UserBuckets {
  total?: number;
  success?: number;
}

const rateOf = (limit: number, minutes: number): Rate => ({ limit, periodMs: minutes * 60_000 });

function ttl(state: UserBuckets, now: number): number {
  return Math.max(bucketTtlMs(state.total, now), bucketTtlMs(state.success, now));
}

export class ModelRequestLimiter {
  readonly #kv: Deno.Kv;
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Before the request: refuses it (taking nothing) or counts it against the total. */
  check(userId: number, limit: ModelRequestLimit): Promise<ModelRequestAnswer> {
    const { durationMinutes: minutes, count, successCount } = limit;
    return updateKey<UserBuckets, ModelRequestAnswer>(
      this.#kv,
      ["limits", "model_req", userId],
      (stored, now) => {
        const state = stored ?? {};
        const success = peekRate(state.success, now, rateOf(successCount, minutes));
        if (!success.ok) {
          return {
            state: stored,
            result: {
              ok: false,
              retryAfterSeconds: retryAfterSeconds(success.retryAfterMs),
              message:
                `You have reached the request limit: at most ${successCount} requests in ${minutes} minutes`,
            },
          };
        }
        const total = takeRate(state.total, now, rateOf(count, minutes));
        if (!total.ok) {
          return {
            state: stored,
            result: {
              ok: false,
              retryAfterSeconds: retryAfterSeconds(total.retryAfterMs),
              message:
                `You have reached the total request limit: at most ${count} requests in ${minutes} minutes, ` +
                "failures included; please check that your requests are valid",
            },
          };
        }
        if (count <= 0) return { state: stored, result: { ok: true, retryAfterSeconds: 0 } };
        const next = { ...state, total: total.tat };
        return { state: next, result: { ok: true, retryAfterSeconds: 0 }, expireInMs: ttl(next, now) };
      },
    );
  }

  /** After a successful answer (HTTP status below 400). */
  recordSuccess(userId: number, limit: ModelRequestLimit): Promise<void> {
    if (limit.successCount <= 0) return Promise.resolve();
    const rate = rateOf(limit.successCount, limit.durationMinutes);
    return updateKey<UserBuckets, void>(this.#kv, ["limits", "model_req", userId], (stored, now) => {
      const next = { ...stored, success: chargeRate(stored?.success, now, rate, 1) };
      return { state: next, result: undefined, expireInMs: ttl(next, now) };
    });
  }
}
