/**
 * New API's daily check-in (`checkin_setting.*`): whether it is on and the range its reward is drawn from.
 * Keys and defaults are New API's (setting/operation_setting/checkin_setting.go).
 */
import { boolOption, intOption, type OptionDef, type OptionSource } from "./registry.ts";

/** The largest reward one check-in may give (New API's quota columns are 32-bit on some stores). */
const MAX_REWARD = 2_147_483_647;

export const checkinOptions: OptionDef[] = [
  boolOption("checkin_setting.enabled", false),
  intOption("checkin_setting.min_quota", 1000, 0, MAX_REWARD),
  intOption("checkin_setting.max_quota", 10000, 0, MAX_REWARD),
];

function intOf(source: OptionSource, key: string, fallback: number): number {
  const n = Number(source.option(key) ?? fallback);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

export interface CheckinSetting {
  enabled: boolean;
  /** As stored (the status route shows them so). */
  minQuota: number;
  maxQuota: number;
}

export function checkinSetting(source: OptionSource): CheckinSetting {
  return {
    enabled: source.option("checkin_setting.enabled") === "true",
    minQuota: intOf(source, "checkin_setting.min_quota", 1000),
    maxQuota: intOf(source, "checkin_setting.max_quota", 10000),
  };
}

/**
 * The reward range, ordered and not below 0, as New API's QuotaRange: an inverted pair (saved one key at a
 * time) is swapped rather than breaking check-in.
 */
export function checkinRange(s: CheckinSetting): { min: number; max: number } {
  const a = Math.max(0, s.minQuota), b = Math.max(0, s.maxQuota);
  return a <= b ? { min: a, max: b } : { min: b, max: a };
}

/** A reward drawn uniformly from the range, both ends included (New API: min + rand.Intn(max-min+1)). */
export function drawCheckinReward(s: CheckinSetting): number {
  const { min, max } = checkinRange(s);
  if (max <= min) return min;
  const span = max - min + 1;
  // Rejection sampling over 32 random bits keeps every value equally likely.
  const limit = Math.floor(0x1_0000_0000 / span) * span;
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word); while (word[0] >= limit);
  return min + (word[0] % span);
}
