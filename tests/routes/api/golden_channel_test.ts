/**
 * Golden shapes of New API's channel answers (tests/fixtures/new_api/golden/channel.json): the admin list
 * (items, total, page, page_size, type_counts), the search answer and one channel, key-less.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, type GoldenShape, readGolden } from "../../support/golden.ts";

const golden = await readGolden("channel");
const searchShape = (golden as unknown as { search: GoldenShape }).search;

appTest("channel answers have New API's keys, types, envelope and page", async (h) => {
  const { admin } = await cast(h);
  const made = await admin.call("POST", "/api/channel/", {
    mode: "multi_to_single",
    channel: {
      type: 1,
      name: "golden-channel",
      key: "sk-golden-1\nsk-golden-2",
      models: "gpt-4o-mini",
      group: "default",
      tag: "golden",
      remark: "golden",
    },
  });
  assertEquals(made.body.success, true, made.text);
  const id = made.body.data.ids[0];
  const problems: string[] = [];
  const check = async (path: string, shape: { page?: boolean; item: string; pageShape?: GoldenShape }) => {
    const res = await admin.call("GET", path);
    assertEquals(res.status, 200, `${path}: ${res.text}`);
    assertEquals(res.body.success, true, `${path}: ${res.text}`);
    problems.push(...answerProblems(golden, `GET ${path}`, res.body, shape));
  };
  await check("/api/channel/", { page: true, item: "channel" });
  await check("/api/channel/?tag_mode=true", { page: true, item: "channel" });
  await check(`/api/channel/${id}`, { item: "channel" });
  const search = await admin.call("GET", "/api/channel/search?keyword=golden");
  problems.push(...answerProblems(golden, "GET /api/channel/search", search.body, {
    page: true,
    item: "channel",
    pageShape: searchShape,
    pageOurs: golden.ours?.search,
  }));
  assertEquals(problems, []);
});
