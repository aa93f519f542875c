/**
 * A subscription's time rules, New API's: how long a plan lasts (`duration_unit` year / month / day / hour,
 * or `custom` seconds) and when its quota next resets (`quota_reset_period` daily at midnight, weekly on
 * Monday 00:00, monthly on the 1st 00:00, or every `quota_reset_custom_seconds`; never past the end), in
 * the server's time zone (`TZ`). What a plan costs from the wallet: price × QuotaPerUnit, rounded up.
 * Pure: times are Unix seconds.
 */

export const DurationUnits = ["year", "month", "day", "hour", "custom"] as const;
export const ResetPeriods = ["never", "daily", "weekly", "monthly", "custom"] as const;
export type ResetPeriod = typeof ResetPeriods[number];

export interface PlanTimes {
  durationUnit: string;
  durationValue: number;
  customSeconds: number;
  quotaResetPeriod: string;
  quotaResetCustomSeconds: number;
}

/** New API's normalisation: an unknown period means never. */
export function resetPeriodOf(period: string): ResetPeriod {
  const p = period.trim();
  return (ResetPeriods as readonly string[]).includes(p) ? p as ResetPeriod : "never";
}

/** When a subscription started at `start` ends; undefined for a plan whose duration is not valid. */
export function planEndTime(start: number, plan: PlanTimes): number | undefined {
  const d = new Date(start * 1000);
  const n = plan.durationValue;
  if (plan.durationUnit !== "custom" && !(n > 0)) return undefined;
  switch (plan.durationUnit) {
    case "year":
      d.setFullYear(d.getFullYear() + n);
      return Math.floor(d.getTime() / 1000);
    case "month":
      d.setMonth(d.getMonth() + n);
      return Math.floor(d.getTime() / 1000);
    case "day":
      return start + n * 86400;
    case "hour":
      return start + n * 3600;
    case "custom":
      return plan.customSeconds > 0 ? start + plan.customSeconds : undefined;
    default:
      return undefined;
  }
}

/** The next quota reset after `base`, or 0 for none (never, or past the subscription's end). */
export function nextResetTime(base: number, plan: PlanTimes, end: number): number {
  const d = new Date(base * 1000);
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  let next: number;
  switch (resetPeriodOf(plan.quotaResetPeriod)) {
    case "daily":
      midnight.setDate(midnight.getDate() + 1);
      next = midnight.getTime() / 1000;
      break;
    case "weekly": {
      const weekday = d.getDay() === 0 ? 7 : d.getDay();
      midnight.setDate(midnight.getDate() + 8 - weekday);
      next = midnight.getTime() / 1000;
      break;
    }
    case "monthly":
      next = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime() / 1000;
      break;
    case "custom":
      if (!(plan.quotaResetCustomSeconds > 0)) return 0;
      next = base + plan.quotaResetCustomSeconds;
      break;
    default:
      return 0;
  }
  next = Math.floor(next);
  return end > 0 && next > end ? 0 : next;
}

/** The wallet quota a plan costs: price × QuotaPerUnit rounded up (0 for a free plan). */
export function balanceQuotaOf(priceAmount: number, quotaPerUnit: number): number {
  if (!(priceAmount > 0)) return 0;
  // Rounded to micro-units first so 0.1 × 500000 is 50000, not 50000.00000001 rounded up.
  return Math.ceil(Math.round(priceAmount * quotaPerUnit * 1e6) / 1e6);
}

/** A subscription's reset clock: when it started, ends, and last and next reset (0 for none). */
export interface ResetClock {
  startTime: number;
  endTime: number;
  lastResetTime: number;
  nextResetTime: number;
}

/**
 * New API's reset rule at `now`, for a subscription whose plan resets: undefined while the next reset is
 * in the future (or the plan never resets); otherwise the clock's new times, and whether the used amount
 * goes back to 0 (a period passed) or only the missing next reset is filled in. Several missed periods
 * advance to the current one.
 */
export function dueReset(
  sub: ResetClock,
  plan: PlanTimes,
  now: number,
): { reset: boolean; last: number; next: number } | undefined {
  if (sub.nextResetTime > now) return undefined;
  if (resetPeriodOf(plan.quotaResetPeriod) === "never") return undefined;
  let base = sub.lastResetTime > 0 ? sub.lastResetTime : sub.startTime;
  let next = nextResetTime(base, plan, sub.endTime);
  let advanced = false;
  // Bounded: each step moves `base` forward by at least one second (a custom period is ≥ 1 s).
  while (next > 0 && next <= now && next > base) {
    advanced = true;
    base = next;
    next = nextResetTime(base, plan, sub.endTime);
  }
  if (advanced) return { reset: true, last: base, next };
  if (sub.nextResetTime === 0 && next > 0) return { reset: false, last: base, next };
  return undefined;
}
