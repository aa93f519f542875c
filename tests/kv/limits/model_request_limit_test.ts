import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { sharedKeysTest } from "../../support/redis.ts";
import {
  checkModelRequestRateLimitGroup,
  ModelRequestLimiter,
  parseModelRequestRateLimit,
  resolveModelRequestLimit,
} from "../../../kv/limits/model_request_limit.ts";

sharedKeysTest("the total count admits exactly Count requests at once, failures included", async (kv) => {
  const limiter = new ModelRequestLimiter(kv);
  const limit = { durationMinutes: 1, count: 3, successCount: 1000 };
  const answers = await Promise.all(Array.from({ length: 10 }, () => limiter.check(1, limit)));
  assertEquals(answers.filter((a) => a.ok).length, 3);
  const refused = answers.find((a) => !a.ok)!;
  assertStringIncludes(refused.message!, "failures included");
  assert(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 20);
});

sharedKeysTest(
  "only successful requests count against SuccessCount, and only after the answer",
  async (kv) => {
    const limiter = new ModelRequestLimiter(kv);
    const limit = { durationMinutes: 1, count: 0, successCount: 2 };
    for (let i = 0; i < 5; i++) assertEquals((await limiter.check(2, limit)).ok, true, "failed requests");
    await limiter.recordSuccess(2, limit);
    assertEquals((await limiter.check(2, limit)).ok, true);
    await limiter.recordSuccess(2, limit);
    const refused = await limiter.check(2, limit);
    assertEquals(refused.ok, false);
    assertStringIncludes(refused.message!, "at most 2 requests in 1 minutes");
    assertEquals((await limiter.check(3, limit)).ok, true, "per user");
  },
);

sharedKeysTest(
  "a request refused by the success limit is not counted against the total",
  async (kv, shared) => {
    const limiter = new ModelRequestLimiter(kv);
    const limit = { durationMinutes: 1, count: 2, successCount: 1 };
    const start = Date.now();
    assertEquals((await limiter.check(4, limit)).ok, true);
    await limiter.recordSuccess(4, limit);
    for (let i = 0; i < 5; i++) assertEquals((await limiter.check(4, limit)).ok, false);
    // The total bucket holds one unit (30 s of a 2-per-minute bucket), not six.
    const stored = (await shared.get(["limits", "model_req", 4])) as { total: number };
    assert(
      stored.total <= Date.now() + 30_000 && stored.total >= start + 30_000,
      `total at ${stored.total - start}`,
    );
  },
);

Deno.test("options parse as New API stores them; a group overrides by token group, else user group", () => {
  const setting = parseModelRequestRateLimit({
    ModelRequestRateLimitEnabled: "true",
    ModelRequestRateLimitDurationMinutes: "5",
    ModelRequestRateLimitCount: "100",
    ModelRequestRateLimitSuccessCount: "50",
    ModelRequestRateLimitGroup: '{"vip":[0,500],"default":[10,5]}',
  });
  assertEquals(resolveModelRequestLimit(setting, "vip", "default"), {
    durationMinutes: 5,
    count: 0,
    successCount: 500,
  });
  assertEquals(resolveModelRequestLimit(setting, "", "default"), {
    durationMinutes: 5,
    count: 10,
    successCount: 5,
  });
  assertEquals(resolveModelRequestLimit(setting, undefined, "other"), {
    durationMinutes: 5,
    count: 100,
    successCount: 50,
  });
  assertEquals(
    resolveModelRequestLimit(parseModelRequestRateLimit({}), "", "default"),
    null,
    "off by default",
  );
});

Deno.test("the group JSON is validated like New API's: total >= 0 and success >= 1", () => {
  assertEquals(checkModelRequestRateLimitGroup('{"a":[0,1]}'), null);
  assertStringIncludes(checkModelRequestRateLimitGroup('{"a":[5,0]}')!, 'group "a"');
  assertStringIncludes(checkModelRequestRateLimitGroup('{"a":[-1,3]}')!, 'group "a"');
  assertStringIncludes(checkModelRequestRateLimitGroup("{nope")!, "not valid JSON");
});
