/**
 * Golden shapes of New API's log answers (tests/fixtures/new_api/golden/log.json): admin and user pages of
 * `Log` rows, the two search lists, the token's rows and both stats. A user's own row has New API's keys,
 * `other` a JSON string, and still nothing New API hides from users.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";
import { insertLogs, LogType } from "../../../store/logs.ts";
import { insertChannel } from "../../../store/channels.ts";
import { testSecrets } from "../../support/stores.ts";

const golden = await readGolden("log");

appTest("log answers have New API's keys, types, envelope and page", async (h) => {
  const { root, alice } = await cast(h);
  const channel = await insertChannel(h.deps.db, testSecrets.cryptoSecret, {
    type: 1,
    name: "golden-upstream",
    key: "sk-upstream",
    models: "gpt-4o-mini",
  });
  const now = Math.floor(Date.now() / 1000);
  const row = {
    userId: alice.userId,
    username: "alice",
    tokenName: "alice-key",
    modelName: "gpt-4o-mini",
    channelId: channel,
    tokenId: 7,
    group: "default",
    ip: "10.0.0.9",
    createdAt: now,
  };
  await insertLogs(h.deps.logDb, [
    {
      ...row,
      type: LogType.consume,
      content: "ok",
      quota: 120,
      promptTokens: 10,
      completionTokens: 20,
      requestId: "req-golden",
      other: {
        model_ratio: 1,
        admin_info: { use_channel: [String(channel)] },
        audit_info: { route: "/v1/chat/completions" },
        stream_status: { end_reason: "done" },
      },
    },
    { ...row, type: LogType.error, content: "upstream said no", other: { client_message: "failed" } },
  ]);

  const problems: string[] = [];
  const check = async (
    who: typeof root,
    path: string,
    shape: { page?: boolean; list?: boolean; item: string },
  ) => {
    const res = await who.call("GET", path);
    assertEquals(res.status, 200, `${path}: ${res.text}`);
    assertEquals(res.body.success, true, `${path}: ${res.text}`);
    problems.push(...answerProblems(golden, `GET ${path}`, res.body, shape));
    return res.body.data;
  };
  await check(root, "/api/log/", { page: true, item: "log" });
  await check(root, "/api/log/search?keyword=2", { list: true, item: "log" });
  await check(root, "/api/log/stat", { item: "stat" });
  const mine = await check(alice, "/api/log/self", { page: true, item: "log" });
  await check(alice, "/api/log/self/search?keyword=2", { list: true, item: "log" });
  await check(alice, "/api/log/self/stat", { item: "self_stat" });
  assertEquals(problems, []);

  // What New API hides from users stays hidden.
  const consume = mine.items.find((i: { type: number }) => i.type === LogType.consume);
  assertEquals(consume.channel_name, "");
  assertEquals(JSON.parse(consume.other), { model_ratio: 1 });
  const error = mine.items.find((i: { type: number }) => i.type === LogType.error);
  assertEquals(error.content, "failed");
  assert(!error.other.includes("client_message"), error.other);
});
