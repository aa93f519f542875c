/**
 * New API's usage breakdown through real relay traffic, on every store: `quota_data` rows carry the
 * request's group, token, channel and node (`use_group`, `token_id`, `channel_id`, `node_name`);
 * `/api/data/flow/self` sums the caller's by token, group and model; `/api/data/flow` sums by user, group,
 * model and channel for admins (root also by node and token); `/api/data/users` per user and hour; the
 * answers are the same before and after the hourly buckets are written (nothing doubled), and
 * `/api/data/self` still gives one row per model and hour. Shapes checked against New API's golden.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast, login } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { createToken } from "../../../store/tokens.ts";
import { testSecrets } from "../../support/stores.ts";
import { asInt } from "../../../store/db.ts";

const golden = await readGolden("dashboard");

appTest("flow and per-user usage views match the traffic, before and after the flush", async (h) => {
  const { root, admin, alice } = await cast(h);
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [fakeChannel(fake.url, { name: "fake-main" })],
    username: "payer",
  });
  const second = await createToken(h.deps.db, testSecrets.cryptoSecret, s.userId, {
    name: "second",
    unlimitedQuota: true,
  });
  await h.deps.cache.publish({ kind: "token", id: second.token.id });
  const body = (n: number) => ({
    model: "test-model",
    messages: [{ role: "user", content: `[fake:chunks=${n}] x` }],
  });
  for (const n of [2, 3, 4]) assertEquals((await chat(h, s.key, body(n))).status, 200);
  for (const n of [5, 6]) assertEquals((await chat(h, second.key, body(n))).status, 200);
  await settled(h);
  const logs = await h.deps.logDb.query(
    "SELECT token_id, quota, prompt_tokens, completion_tokens FROM logs WHERE type = 2 ORDER BY id",
  );
  const quotaOf = (tokenId: number) =>
    logs.filter((l) => asInt(l.token_id) === tokenId).reduce((a, l) => a + asInt(l.quota), 0);
  const tokensOf = (tokenId: number) =>
    logs.filter((l) => asInt(l.token_id) === tokenId)
      .reduce((a, l) => a + asInt(l.prompt_tokens) + asInt(l.completion_tokens), 0);
  assert(quotaOf(s.tokenId) > 0 && quotaOf(second.token.id) > 0);

  // The payer signs in to read its own flow (a session of its own).
  const alicePassword = await h.deps.db.query("SELECT password FROM users WHERE username = 'alice'");
  await h.deps.db.exec("UPDATE users SET password = ? WHERE id = ?", [
    String(alicePassword[0].password),
    s.userId,
  ]);
  await h.deps.cache.publish({ kind: "user", id: s.userId });
  const now = Math.floor(Date.now() / 1000);
  const range = `start_timestamp=${now - 7200}&end_timestamp=${now + 3600}`;
  const payer = await login(h, "payer", "alice-password");

  const views = async () => {
    const self = await payer.call("GET", `/api/data/flow/self?${range}`);
    const flowAdmin = await admin.call("GET", `/api/data/flow?${range}`);
    const flowRoot = await root.call("GET", `/api/data/flow?${range}&username=payer`);
    const users = await admin.call("GET", `/api/data/users?${range}`);
    const dataSelf = await payer.call("GET", `/api/data/self?${range}`);
    for (const r of [self, flowAdmin, flowRoot, users, dataSelf]) assertEquals(r.status, 200, r.text);
    return { self, flowAdmin, flowRoot, users, dataSelf };
  };
  const check = async () => {
    const v = await views();
    // Self: one row per token (one group, one model), largest first, with the token's name.
    assertEquals(
      v.self.body.data.map((
        r: Record<string, unknown>,
      ) => [r.token_id, r.token_name, r.use_group, r.model_name, r.count, r.quota, r.token_used]),
      [
        [s.tokenId, "relay", "default", "test-model", 3, quotaOf(s.tokenId), tokensOf(s.tokenId)],
        [
          second.token.id,
          "second",
          "default",
          "test-model",
          2,
          quotaOf(second.token.id),
          tokensOf(second.token.id),
        ],
      ].sort((a, b) => Number(b[5]) - Number(a[5])),
    );
    assert(v.self.body.data.every((r: Record<string, unknown>) => !("user_id" in r) && !("channel_id" in r)));
    // Admin: by user, group, model and channel, tokens summed, the channel named.
    assertEquals(v.flowAdmin.body.data.length, 1);
    const a = v.flowAdmin.body.data[0];
    assertEquals(
      [a.user_id, a.username, a.use_group, a.model_name, a.channel_id, a.channel_name, a.count, a.quota],
      [
        s.userId,
        "payer",
        "default",
        "test-model",
        s.channelIds[0],
        "fake-main",
        5,
        quotaOf(s.tokenId) + quotaOf(second.token.id),
      ],
    );
    assert(!("token_id" in a) && !("node_name" in a));
    // Root: also by node and token.
    assertEquals(v.flowRoot.body.data.length, 2);
    assert(
      v.flowRoot.body.data.every((r: Record<string, unknown>) =>
        typeof r.node_name === "string" && r.node_name !== ""
      ),
    );
    // Per user and hour, all models summed.
    const payerRows = v.users.body.data.filter((r: Record<string, unknown>) => r.username === "payer");
    assertEquals(payerRows.reduce((n: number, r: { count: number }) => n + r.count, 0), 5);
    // The dashboard's own view: one row per model and hour, both tokens summed.
    assertEquals(v.dataSelf.body.data.reduce((n: number, r: { count: number }) => n + r.count, 0), 5);
    assertEquals(
      new Set(v.dataSelf.body.data.map((r: { created_at: number }) => r.created_at)).size,
      v.dataSelf.body.data.length,
    );
    const problems = [
      ...answerProblems(golden, "GET /api/data/flow/self", v.self.body, {
        list: true,
        item: "flow_quota_data",
      }),
      ...answerProblems(golden, "GET /api/data/flow", v.flowRoot.body, {
        list: true,
        item: "flow_quota_data",
      }),
      ...answerProblems(golden, "GET /api/data/users", v.users.body, { list: true, item: "quota_data" }),
    ];
    assertEquals(problems, []);
  };
  await check(); // from the unflushed buckets
  await h.deps.billing.quotaData.flush(h.deps.db);
  const stored = await h.deps.db.query(
    "SELECT use_group, token_id, channel_id, node_name, count FROM quota_data WHERE user_id = ? ORDER BY token_id",
    [s.userId],
  );
  assertEquals(
    stored.map((r) => [r.use_group, asInt(r.token_id), asInt(r.channel_id), asInt(r.count)]),
    [
      ["default", s.tokenId, s.channelIds[0], 3],
      ["default", second.token.id, s.channelIds[0], 2],
    ].sort((x, y) => Number(x[1]) - Number(y[1])),
  );
  assert(stored.every((r) => String(r.node_name).length > 0));
  await check(); // from the table: the same answers

  // Refusals: a range over a month for the caller's own view, an end before the start, a non-admin.
  const long = await payer.call("GET", `/api/data/flow/self?start_timestamp=1&end_timestamp=${now}`);
  assertEquals([long.status, long.body.success], [200, false]);
  const backwards = await admin.call(
    "GET",
    `/api/data/flow?start_timestamp=${now}&end_timestamp=${now - 10}`,
  );
  assertEquals([backwards.status, backwards.body.success], [400, false]);
  const missing = await admin.call("GET", "/api/data/flow");
  assertEquals([missing.status, missing.body.success], [400, false]);
  assertEquals((await alice.call("GET", `/api/data/flow?${range}`)).status, 403);
  assertEquals((await alice.call("GET", `/api/data/users?${range}`)).status, 403);
});
