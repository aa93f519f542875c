/**
 * The one merge of the dashboard views: rows read from `quota_data` plus this process's unflushed buckets,
 * summed by the view's key; a pending row without a match becomes its own row through `fresh`.
 */
import { assertEquals } from "../support/assert.ts";
import { mergeQuotaData, type QuotaDataRow, quotaKey } from "../../store/quota_data.ts";
import { asJsonValue } from "../../store/db.ts";

const row = (over: Partial<QuotaDataRow>): QuotaDataRow => ({
  id: 0,
  userId: 1,
  username: "alice",
  modelName: "gpt-4o",
  useGroup: "",
  tokenId: 0,
  channelId: 0,
  nodeName: "",
  createdAt: 3600,
  tokenUsed: 10,
  count: 1,
  quota: 100,
  ...over,
});

Deno.test("mergeQuotaData sums by the key it is given and keeps table rows unchanged", () => {
  const stored = [row({ id: 7 }), row({ id: 8, modelName: "gpt-4o-mini" })];
  const pending = [
    row({ quota: 5, count: 2, tokenUsed: 3 }),
    row({ userId: 2, username: "bob", quota: 9 }),
  ];
  const byModel = mergeQuotaData(stored, pending, quotaKey("modelName", "createdAt"), (p) => ({
    ...p,
    userId: 0,
    username: "",
  }));
  // bob's usage of gpt-4o joins alice's row: the view is per model and hour only.
  assertEquals(byModel.map((r) => [r.id, r.modelName, r.quota, r.count, r.tokenUsed]), [
    [7, "gpt-4o", 114, 4, 23],
    [8, "gpt-4o-mini", 100, 1, 10],
  ]);
  const perUser = mergeQuotaData(stored, pending, quotaKey("userId", "modelName", "createdAt"));
  assertEquals(perUser.map((r) => [r.username, r.modelName, r.quota]), [
    ["alice", "gpt-4o", 105],
    ["alice", "gpt-4o-mini", 100],
    ["bob", "gpt-4o", 9],
  ]);
  assertEquals(stored[0].quota, 100, "the table's rows are copied, not changed");
  assertEquals(mergeQuotaData(stored, [], quotaKey("id")).length, 2);
});

Deno.test("asJsonValue: empty is null, JSON is decoded, other text stays text", () => {
  assertEquals(asJsonValue(""), null);
  assertEquals(asJsonValue('{"a":[1,2]}'), { a: [1, 2] });
  assertEquals(asJsonValue("not json"), "not json");
});
