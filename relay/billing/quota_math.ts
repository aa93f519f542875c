/**
 * Saturating conversions from computed prices to integer quota. No input (NaN, Infinity, negative or huge
 * multipliers, hostile upstream counts) can make a charge negative, fractional or larger than the
 * per-request cap; a clamp is reported so it lands in the log's admin audit (GHSA-8r8v-xf7q-rcpr).
 */

/** The most one request can ever be charged: New API's int32 saturation bound (≈ $4295 at 500000/$). */
export const MAX_QUOTA_PER_REQUEST = 2_147_483_647;

/** The largest token count we accept from anyone (no model reads or writes 100M tokens in one call). */
export const MAX_TOKEN_COUNT = 100_000_000;

/** Why and how a value was clamped; stored under `other.admin_info.quota_saturation`. */
export interface QuotaClamp {
  op: string;
  kind: "nan" | "negative" | "overflow";
  original: number;
  clamped: number;
}

/**
 * Converts a computed (real-valued) quota to an integer in [0, MAX_QUOTA_PER_REQUEST], rounding to the
 * nearest unit as New API does. Returns the clamp when the value was not representable as-is.
 */
export function toQuota(value: number, op: string): { quota: number; clamp?: QuotaClamp } {
  if (Number.isNaN(value)) return { quota: 0, clamp: { op, kind: "nan", original: value, clamped: 0 } };
  if (value < 0) return { quota: 0, clamp: { op, kind: "negative", original: value, clamped: 0 } };
  if (value > MAX_QUOTA_PER_REQUEST) {
    return {
      quota: MAX_QUOTA_PER_REQUEST,
      clamp: { op, kind: "overflow", original: value, clamped: MAX_QUOTA_PER_REQUEST },
    };
  }
  return { quota: Math.round(value) };
}

/** A token count from an untrusted source as a whole number in [0, MAX_TOKEN_COUNT]; `undefined` → 0. */
export function clampCount(value: unknown): { count: number; clamped: boolean } {
  if (value === undefined || value === null) return { count: 0, clamped: false };
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) return { count: 0, clamped: true };
  if (n > MAX_TOKEN_COUNT) return { count: MAX_TOKEN_COUNT, clamped: true };
  return { count: Math.floor(n), clamped: !Number.isInteger(n) };
}

/** A multiplier (ratio, price) from options: finite and within [0, max], else the fallback. */
export function boundedRatio(value: unknown, fallback: number, max: number): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > max) return fallback;
  return n;
}

/** Adds two quotas without leaving [0, MAX_QUOTA_PER_REQUEST]. */
export function addQuota(a: number, b: number): number {
  return Math.min(MAX_QUOTA_PER_REQUEST, Math.max(0, a) + Math.max(0, b));
}
