/** New API's per-user model request limit options (`ModelRequestRateLimit*`, read by kv/limits/model_request_limit.ts). */
import {
  checkModelRequestRateLimitGroup,
  defaultModelRequestRateLimit,
} from "../kv/limits/model_request_limit.ts";
import { boolOption, intOption, type OptionDef } from "./registry.ts";

const d = defaultModelRequestRateLimit;

export const limitOptions: OptionDef[] = [
  boolOption("ModelRequestRateLimitEnabled", d.enabled),
  intOption("ModelRequestRateLimitDurationMinutes", d.durationMinutes, 1, 1440),
  intOption("ModelRequestRateLimitCount", d.count, 0, 2147483647),
  intOption("ModelRequestRateLimitSuccessCount", d.successCount, 1, 2147483647),
  {
    key: "ModelRequestRateLimitGroup",
    default: "{}",
    validate: (v) =>
      checkModelRequestRateLimitGroup(v) === null
        ? undefined
        : { key: "api.option_rate_limit_group", params: { key: "ModelRequestRateLimitGroup" } },
  },
];
