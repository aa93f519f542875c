/** Dashboard series: hourly rows bucketed per model, zero-filled, ordered by cost; ranges aligned to hours. */
import { assertEquals } from "../support/assert.ts";
import {
  customBounds,
  localDay,
  rangeBounds,
  RANGES,
  rangeStart,
  rankUsage,
  usageSeries,
} from "../../client/usage_series.ts";
import { axisDecimals, formatMoney, formatQuota, quotaFromAmount } from "../../client/format.ts";

const row = (model_name: string, created_at: number, quota: number, count = 1) => ({
  model_name,
  created_at,
  quota,
  count,
  token_used: quota / 10,
});

Deno.test("rows land in their bucket, per model, zeros elsewhere; out-of-range rows are ignored", () => {
  const s = usageSeries(
    [
      row("a", 3600, 10),
      row("b", 7200, 50, 2),
      row("a", 7200 + 1800, 5),
      row("a", 0, 999),
      row("a", 14400, 1),
    ],
    3600,
    14400,
    3600,
  );
  assertEquals(s.times, [3600, 7200, 10800]);
  assertEquals(s.models, ["b", "a"], "largest cost first");
  assertEquals(s.quota, [[0, 50, 0], [10, 5, 0]]);
  assertEquals(s.count, [[0, 2, 0], [1, 1, 0]]);
  assertEquals(s.totals, { quota: 65, count: 4, tokens: 6.5 });
});

Deno.test("daily buckets add up the hourly rows of each day", () => {
  const day = 86400;
  const s = usageSeries(
    [row("m", day + 3600, 1), row("m", day + 7200, 2), row("m", 2 * day, 4)],
    day,
    3 * day,
    day,
  );
  assertEquals(s.quota, [[3, 4]]);
});

Deno.test("a range starts on a whole bucket so hourly rows line up", () => {
  const now = 1_700_000_123;
  assertEquals(rangeStart(now, "24h") % 3600, 0);
  assertEquals(rangeStart(now, "7d") % 86400, 0);
  assertEquals(Math.ceil(now / 3600) * 3600 - rangeStart(now, "24h"), 24 * 3600);
});

Deno.test("the last bucket of every range is the one now falls in, never a future one", () => {
  for (const now of [1_700_000_000, 1_699_999_200, 1_700_003_599, 1_700_086_399]) {
    for (const range of Object.keys(RANGES) as (keyof typeof RANGES)[]) {
      const { start, end } = rangeBounds(now, range);
      const bucket = RANGES[range].bucket;
      const s = usageSeries(
        [{ model_name: "m", created_at: now - (now % 3600), token_used: 1, count: 1, quota: 1 }],
        start,
        end,
        bucket,
      );
      assertEquals(s.count[0].at(-1), 1, `${range} at ${now}: the current hour is in the last bucket`);
      assertEquals((end - start) % bucket, 0);
    }
  }
  assertEquals(rangeBounds(1_699_999_200, "24h").end, 1_700_002_800, "on the hour: that hour's end");
});

Deno.test("quota shows as dollars at 500000 per unit, and typed dollars become quota units", () => {
  assertEquals(formatQuota(1_000_000, 500000), "$2.00");
  assertEquals(formatQuota(250, 500000), "$0.0005", "no trailing zeros below a cent");
  assertEquals(formatQuota(2000, 500000), "$0.004");
  assertEquals(formatQuota(0, 500000), "$0.00");
  assertEquals(quotaFromAmount("1.5", 500000), 750000);
  assertEquals(quotaFromAmount("-1", 500000), NaN);
  assertEquals(quotaFromAmount("", 500000), NaN);
  assertEquals(quotaFromAmount("abc", 500000), NaN);
});

Deno.test("axis ticks share the fewest decimals that write them all exactly", () => {
  assertEquals(axisDecimals([0, 0.002, 0.004, 0.006]), 3);
  assertEquals(axisDecimals([0, 0.5, 1, 1.5]), 2, "halves as cents");
  assertEquals(axisDecimals([0, 5, 10]), 0);
  assertEquals(axisDecimals([0, 0.0000001]), 6);
  assertEquals([0, 0.002, 0.004].map((v) => formatMoney(v, 3)), ["$0.000", "$0.002", "$0.004"]);
  assertEquals(formatMoney(-0.5), "-$0.50");
});

Deno.test("every dashboard range fits the one month /api/data/self answers", () => {
  for (const now of [1_700_000_000, 1_700_003_599, 1_700_086_399]) {
    for (const range of Object.keys(RANGES) as (keyof typeof RANGES)[]) {
      const { start, end } = rangeBounds(now, range);
      assertEquals(start <= now && now < end, true, `${range} covers now`);
      assertEquals(end - start <= 2_592_000, true, `${range}: ${end - start} s`);
    }
  }
});

Deno.test("a custom range: local days both included, hourly up to two days, daily beyond, 30 days at most", () => {
  const two = customBounds("2026-03-01", "2026-03-02")!;
  assertEquals(two.start, new Date("2026-03-01T00:00:00").getTime() / 1000);
  assertEquals(two.end, new Date("2026-03-03T00:00:00").getTime() / 1000);
  assertEquals([two.bucket, two.tooLong], [3600, false]);
  const month = customBounds("2026-03-01", "2026-03-30")!;
  assertEquals([month.bucket, month.tooLong], [86400, false]);
  assertEquals(customBounds("2026-03-01", "2026-03-31")!.tooLong, true);
  assertEquals(customBounds("2026-03-05", "2026-03-01"), undefined);
  assertEquals(customBounds("", "2026-03-01"), undefined);
  assertEquals(localDay(two.start), "2026-03-01");
});

Deno.test("usage ranked by a name: summed, largest cost first, shares of the total", () => {
  const ranked = rankUsage(
    [
      { name: "a", quota: 10, count: 1, token_used: 5 },
      { name: "b", quota: 30, count: 2, token_used: 7 },
      { name: "a", quota: 10, count: 4, token_used: 1 },
    ],
    (r) => r.name,
  );
  assertEquals(ranked, [
    { name: "b", quota: 30, count: 2, tokens: 7, share: 0.6 },
    { name: "a", quota: 20, count: 5, tokens: 6, share: 0.4 },
  ]);
});
