import { assertEquals, assertThrows } from "../../support/assert.ts";
import {
  buildRetryPolicy,
  DEFAULT_DISABLE_KEYWORDS,
  DEFAULT_RETRY_STATUS_CODES,
  shouldDisable,
  shouldRetry,
} from "../../../relay/routing/retry_policy.ts";
import { parseStatusRanges } from "../../../relay/routing/status_ranges.ts";
import {
  mapModel,
  mapStatus,
  ModelMappingCycle,
  parseModelMapping,
} from "../../../relay/routing/model_mapping.ts";

const policy = (over: Partial<Parameters<typeof buildRetryPolicy>[0]> = {}) =>
  buildRetryPolicy({
    retryTimes: 3,
    retryStatusCodes: DEFAULT_RETRY_STATUS_CODES,
    autoDisable: true,
    disableStatusCodes: "401",
    disableKeywords: DEFAULT_DISABLE_KEYWORDS,
    ...over,
  });
const ctx = { attempt: 0, bytesSentToClient: false, pinnedChannel: false };

Deno.test("retryable statuses follow New API's defaults: 429 and 5xx retry, 400/408/504/524 do not", () => {
  const p = policy();
  for (const s of [429, 500, 502, 503, 401, 0]) {
    assertEquals(shouldRetry(p, { status: s, message: "" }, ctx), true, `${s}`);
  }
  for (const s of [400, 408, 504, 524, 200]) {
    assertEquals(shouldRetry(p, { status: s, message: "" }, ctx), false, `${s}`);
  }
});

Deno.test("no retry after the first byte, for pinned channels, or past RetryTimes", () => {
  const p = policy();
  const f = { status: 500, message: "" };
  assertEquals(shouldRetry(p, f, { ...ctx, bytesSentToClient: true }), false);
  assertEquals(shouldRetry(p, f, { ...ctx, pinnedChannel: true }), false);
  assertEquals(shouldRetry(p, f, { ...ctx, attempt: 3 }), false);
  assertEquals(
    shouldRetry(policy({ retryTimes: 0 }), f, ctx),
    false,
    "New API's default of 0 means no retry",
  );
});

Deno.test("auto-disable on 401 or a keyword, only when enabled and the channel allows it", () => {
  const p = policy();
  assertEquals(shouldDisable(p, { status: 401, message: "" }, true), true);
  assertEquals(
    shouldDisable(p, { status: 429, message: "You exceeded your current quota, please check" }, true),
    true,
  );
  assertEquals(shouldDisable(p, { status: 500, message: "boom" }, true), false);
  assertEquals(shouldDisable(p, { status: 401, message: "" }, false), false, "auto_ban off");
  assertEquals(shouldDisable(policy({ autoDisable: false }), { status: 401, message: "" }, true), false);
});

Deno.test("status ranges parse strictly", () => {
  assertEquals(parseStatusRanges("401, 429,500-503"), [[401, 401], [429, 429], [500, 503]]);
  assertThrows(() => parseStatusRanges("4xx"));
  assertThrows(() => parseStatusRanges("503-500"));
});

Deno.test("model mapping follows chains and refuses cycles", () => {
  const m = parseModelMapping('{"gpt-4":"gpt-4o","gpt-4o":"gpt-4o-2024-08-06"}');
  assertEquals(mapModel(m, "gpt-4"), "gpt-4o-2024-08-06");
  assertEquals(mapModel(m, "other"), "other");
  assertEquals(mapModel(parseModelMapping('{"a":"a"}'), "a"), "a");
  assertThrows(() => mapModel(parseModelMapping('{"a":"b","b":"a"}'), "a"), ModelMappingCycle);
  assertEquals(parseModelMapping("not json"), {});
  assertEquals(mapStatus('{"400":"500"}', 400), 500);
  assertEquals(mapStatus('{"400":"abc"}', 400), 400);
});
