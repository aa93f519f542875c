/**
 * What a token create or update body may say, and the checks beyond types: expiry (-1 or future), quota
 * bounds, the group (one the owner may use), model names, and IPs/CIDRs in `allow_ips`.
 */
import { isIP } from "node:net";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { badRequest } from "./errors.ts";
import { bodyId } from "./input.ts";
import { maxQuota } from "../../options/accounts.ts";
import { isRealSelectableGroup, isSelectableGroup, maxTokenAutoGroups } from "../../options/groups.ts";
import { nowSeconds } from "../../store/db.ts";
import { type Token, type TokenFields, TokenStatus } from "../../store/tokens.ts";

const limit = z.int().min(0).max(1_000_000_000);

/** A list given as text (comma- or newline-separated) or as an array of strings. */
const textList = (maxItems: number, maxText: number) =>
  z.union([z.string().max(maxText), z.array(z.string().max(1024)).max(maxItems), z.null()])
    .transform((v) =>
      (v === null ? [] : Array.isArray(v) ? v : v.split(/[\n,]/)).map((s) => s.trim()).filter(Boolean)
    );

const tokenFieldsSchema = z.object({
  name: z.string().max(50),
  remain_quota: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  unlimited_quota: z.boolean(),
  expired_time: z.int().min(-1).max(Number.MAX_SAFE_INTEGER),
  model_limits_enabled: z.boolean(),
  model_limits: textList(5000, 1_000_000),
  allow_ips: textList(1000, 65536),
  group: z.string().max(64),
  cross_group_retry: z.boolean(),
  /** New API's per-token auto list (group "auto" only); null or [] = follow `AutoGroups`. */
  auto_groups: z.union([z.array(z.string().max(64)).max(1000), z.null()]),
  rpm_limit: limit,
  tpm_limit: limit,
  concurrency_limit: limit,
}).partial();

export const createTokenBody = tokenFieldsSchema;
/** `status` may echo any stored status (New API's console sends the whole token); only 1 and 2 are set. */
export const updateTokenBody = tokenFieldsSchema.extend({
  id: bodyId,
  status: z.int().min(TokenStatus.enabled).max(TokenStatus.exhausted).optional(),
});

type TokenInput = z.output<typeof tokenFieldsSchema>;

function validIpOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split("/");
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Checks `input` for a token of a user in `userGroup` and maps it to repository fields. `existing` is
 * the stored token on update (an unchanged past expiry is then accepted).
 */
export function tokenFieldsFrom(
  deps: AppDeps,
  userGroup: string,
  input: TokenInput,
  existing?: Token,
): Partial<TokenFields> {
  const out: Partial<TokenFields> = {};
  if (input.name !== undefined) out.name = input.name.trim();
  if (input.expired_time !== undefined) {
    const unchanged = existing !== undefined && existing.expiredTime === input.expired_time;
    if (input.expired_time !== -1 && input.expired_time <= nowSeconds() && !unchanged) {
      throw badRequest("api.token_expired_time_invalid");
    }
    out.expiredTime = input.expired_time;
  }
  if (input.remain_quota !== undefined) {
    const max = maxQuota(deps.catalog);
    if (input.remain_quota > max) throw badRequest("api.quota_too_large", { max });
    out.remainQuota = input.remain_quota;
  }
  if (input.unlimited_quota !== undefined) out.unlimitedQuota = input.unlimited_quota;
  if (input.model_limits_enabled !== undefined) out.modelLimitsEnabled = input.model_limits_enabled;
  if (input.model_limits !== undefined) {
    const tooLong = input.model_limits.find((m) => m.length > 255);
    if (tooLong) throw badRequest("api.model_name_too_long", { value: tooLong.slice(0, 64) });
    out.modelLimits = [...new Set(input.model_limits)].join(",");
  }
  if (input.allow_ips !== undefined) {
    const bad = input.allow_ips.find((ip) => !validIpOrCidr(ip));
    if (bad) throw badRequest("api.allow_ips_invalid", { value: bad.slice(0, 64) });
    out.allowIps = input.allow_ips.join("\n");
  }
  if (input.group !== undefined) {
    const group = input.group.trim();
    if (!isSelectableGroup(deps.catalog, userGroup, group)) {
      throw badRequest("api.token_group_not_allowed", { group });
    }
    out.group = group;
  }
  if (input.cross_group_retry !== undefined) out.crossGroupRetry = input.cross_group_retry;
  const group = out.group ?? existing?.group ?? "";
  if (group !== "auto") {
    // New API: cross-group retry and an own auto list mean something only for a token of group "auto".
    out.crossGroupRetry = false;
    out.autoGroups = "";
  } else if (input.auto_groups !== undefined || existing === undefined) {
    out.autoGroups = tokenAutoGroups(deps, userGroup, input.auto_groups ?? []);
  }
  if (input.rpm_limit !== undefined) out.rpmLimit = input.rpm_limit;
  if (input.tpm_limit !== undefined) out.tpmLimit = input.tpm_limit;
  if (input.concurrency_limit !== undefined) out.concurrencyLimit = input.concurrency_limit;
  return out;
}

/** New API's setTokenAutoGroups checks: at most `MaxTokenAutoGroups`, no repeats, each usable now. */
function tokenAutoGroups(deps: AppDeps, userGroup: string, groups: string[]): string {
  if (groups.length === 0) return "";
  const max = maxTokenAutoGroups(deps.catalog);
  if (groups.length > max) throw badRequest("api.token_auto_groups_too_many", { max });
  const seen = new Set<string>();
  for (const group of groups) {
    if (seen.has(group)) throw badRequest("api.token_auto_groups_duplicate", { group });
    seen.add(group);
    if (!isRealSelectableGroup(deps.catalog, userGroup, group)) {
      throw badRequest("api.token_auto_groups_invalid", { group });
    }
  }
  return JSON.stringify(groups);
}

/** New API refuses to re-enable a token that would be expired or exhausted right away. */
export function checkCanEnable(existing: Token, next: Partial<TokenFields>): void {
  const expiredTime = next.expiredTime ?? existing.expiredTime;
  if (expiredTime !== -1 && expiredTime <= nowSeconds()) throw badRequest("api.token_expired_cannot_enable");
  const unlimited = next.unlimitedQuota ?? existing.unlimitedQuota;
  const remain = next.remainQuota ?? existing.remainQuota;
  if (existing.status === TokenStatus.exhausted && !unlimited && remain <= 0) {
    throw badRequest("api.token_exhausted_cannot_enable");
  }
}
