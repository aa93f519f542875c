/**
 * New API's performance routes (root only) and public rankings, on every store, in New API's shapes:
 * the stats report this process's memory and the data directory's disk, `/gc` runs a real collection,
 * log files answer "not enabled"; the rankings board sums `quota_data` (stored hours and this process's
 * unflushed ones from real relay traffic) by model, vendor (the model catalogue) and user, ranks against
 * the period before and draws the history, and names users only to admins.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast } from "../../support/console_client.ts";
import { answerProblems, readGolden, shapeProblems } from "../../support/golden.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { insertModelMeta, insertVendor } from "../../../store/model_meta.ts";
import { asInt } from "../../../store/db.ts";

const golden = await readGolden("ops");

appTest("performance routes: root only, New API's shapes, real memory and disk numbers", async (h) => {
  const { root, admin } = await cast(h);
  const stats = await root.call("GET", "/api/performance/stats");
  assertEquals(stats.status, 200, stats.text);
  assertEquals(
    answerProblems(golden, "GET /api/performance/stats", stats.body, { item: "performance_stats" }),
    [],
  );
  const d = stats.body.data;
  assert(d.memory_stats.sys > d.memory_stats.alloc && d.memory_stats.alloc > 0, stats.text);
  assert(d.disk_space_info.total > 0 && d.disk_space_info.free <= d.disk_space_info.total, stats.text);
  assert(d.disk_space_info.used_percent > 0 && d.disk_space_info.used_percent < 100);
  assertEquals(d.config.disk_cache_enabled, false);

  const before = d.memory_stats.num_gc;
  const gc = await root.call("POST", "/api/performance/gc");
  assertEquals([gc.status, gc.body.success], [200, true], gc.text);
  assertEquals(shapeProblems("gc", gc.body, golden.shapes.message_only), []);
  const after = await root.call("GET", "/api/performance/stats");
  assertEquals(after.body.data.memory_stats.num_gc, before + 1);

  for (
    const [method, path] of [["DELETE", "/api/performance/disk_cache"], [
      "POST",
      "/api/performance/reset_stats",
    ]]
  ) {
    const r = await root.call(method, path);
    assertEquals([r.status, r.body.success], [200, true], `${method} ${path}`);
    assertEquals(shapeProblems(path, r.body, golden.shapes.message_only), []);
  }

  const logs = await root.call("GET", "/api/performance/logs");
  assertEquals(answerProblems(golden, "GET /api/performance/logs", logs.body, { item: "log_files" }), []);
  assertEquals([logs.body.data.enabled, logs.body.data.files], [false, null]);
  const zh = { "Accept-Language": "zh-CN" };
  const badMode = await root.call("DELETE", "/api/performance/logs?mode=all&value=1", undefined, zh);
  assertEquals([badMode.status, badMode.body.success, badMode.body.message], [
    200,
    false,
    "模式无效，应为 by_count 或 by_days",
  ]);
  const badValue = await root.call("DELETE", "/api/performance/logs?mode=by_days&value=0");
  assertEquals([badValue.body.success, badValue.body.message], [
    false,
    "Invalid value: give a positive whole number.",
  ]);
  const noDir = await root.call("DELETE", "/api/performance/logs?mode=by_days&value=7");
  assertEquals([noDir.body.success, noDir.body.message], [false, "No log directory is configured."]);

  for (const [method, path] of [["GET", "/api/performance/stats"], ["POST", "/api/performance/gc"]]) {
    assertEquals((await admin.call(method, path)).status, 403, `${method} ${path}`);
    assertEquals((await anonymous(h, method, path)).status, 401, `${method} ${path}`);
  }
});

appTest(
  "rankings: models, vendors, users, movers and history from quota_data and live traffic",
  async (h) => {
    const { admin, alice, bob } = await cast(h);
    const vendor = await insertVendor(h.deps.db, {
      name: "Acme",
      description: "",
      icon: "Acme.Color",
      status: 1,
    });
    for (const name of ["model-a", "test-model"]) {
      await insertModelMeta(h.deps.db, {
        modelName: name,
        description: "",
        icon: "",
        tags: "",
        vendorId: vendor,
        endpoints: "",
        status: 1,
        syncOfficial: 0,
        nameRule: 0,
      });
    }
    const now = Math.floor(Date.now() / 1000);
    const hour = (t: number) => t - (t % 3600);
    const row = async (
      userId: number,
      username: string,
      model: string,
      at: number,
      tokens: number,
      count = 1,
    ) => {
      await h.deps.db.exec(
        `INSERT INTO quota_data (user_id, username, model_name, created_at, use_group, token_id, channel_id,
         node_name, token_used, count, quota) VALUES (?, ?, ?, ?, 'default', 0, 0, '', ?, ?, ?)`,
        [userId, username, model, hour(at), tokens, count, tokens * 2],
      );
    };
    // This week: model-b leads model-a; the week before, model-a led model-b (b moved up, a dropped).
    await row(alice.userId, "alice", "model-a", now - 2 * 86400, 300);
    await row(bob.userId, "bob", "model-b", now - 3 * 86400, 900, 3);
    // Yesterday at 00:00 UTC: outside the last 24 hours, and never on the day of the row two days back (25
    // hours ago fell on that day during the first hour after midnight, leaving three history buckets).
    await row(alice.userId, "alice", "model-b", now - (now % 86400) - 86400, 100);
    await row(alice.userId, "alice", "model-a", now - 9 * 86400, 1000);
    await row(alice.userId, "alice", "model-b", now - 10 * 86400, 10);
    // Long ago: only the "all" board sees it.
    await row(bob.userId, "bob", "model-c", now - 400 * 86400, 5000);

    // Live traffic: unflushed buckets count at once.
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], username: "payer" });
    for (const n of [2, 3]) {
      const r = await chat(h, s.key, {
        model: "test-model",
        messages: [{ role: "user", content: `[fake:chunks=${n}] x` }],
      });
      assertEquals(r.status, 200);
    }
    await settled(h);
    const live = await h.deps.logDb.query("SELECT prompt_tokens, completion_tokens FROM logs WHERE type = 2");
    const liveTokens = live.reduce((a, l) => a + asInt(l.prompt_tokens) + asInt(l.completion_tokens), 0);
    assert(liveTokens > 0);

    const week = await admin.call("GET", "/api/rankings");
    assertEquals(week.status, 200, week.text);
    assertEquals(answerProblems(golden, "GET /api/rankings", week.body, { item: "rankings" }), []);
    const w = week.body.data;
    const byName = new Map(w.models.map((m: { model_name: string }) => [m.model_name, m]));
    assertEquals(w.models[0].model_name, "model-b");
    assertEquals(byName.get("model-b"), {
      rank: 1,
      previous_rank: 2,
      model_name: "model-b",
      vendor: "Unknown",
      category: "all",
      total_tokens: 1000,
      share: Math.round(1000 / (1300 + liveTokens) * 10000) / 10000,
      growth_pct: 9900,
    });
    assertEquals(byName.get("model-a"), {
      rank: 2,
      previous_rank: 1,
      model_name: "model-a",
      vendor: "Acme",
      vendor_icon: "Acme.Color",
      category: "all",
      total_tokens: 300,
      share: Math.round(300 / (1300 + liveTokens) * 10000) / 10000,
      growth_pct: -70,
    });
    const t = byName.get("test-model") as Record<string, unknown>;
    assertEquals([t.total_tokens, t.vendor, "previous_rank" in t, t.growth_pct], [
      liveTokens,
      "Acme",
      false,
      100,
    ]);
    assertEquals(
      w.top_movers.map((m: { model_name: string; rank_delta: number }) => [m.model_name, m.rank_delta]),
      [["model-b", 1]],
    );
    assertEquals(
      w.top_droppers.map((m: { model_name: string; rank_delta: number }) => [m.model_name, m.rank_delta]),
      [["model-a", -1]],
    );
    const acme = w.vendors.find((v: { vendor: string }) => v.vendor === "Acme");
    assertEquals([acme.total_tokens, acme.models_count, acme.vendor_icon], [
      300 + liveTokens,
      2,
      "Acme.Color",
    ]);
    assertEquals(
      w.users.map((u: { username: string; total_tokens: number }) => [u.username, u.total_tokens]),
      [
        ["bob", 900],
        ...(liveTokens > 400
          ? [["payer", liveTokens], ["alice", 400]]
          : [["alice", 400], ["payer", liveTokens]]),
      ],
    );
    assertEquals([w.users[0].count, w.users[0].top_model], [3, "model-b"]);
    // History: one point per day with tokens and model, and every bucket's vendor shares summing to 1.
    const pointTokens = w.models_history.points.reduce((a: number, p: { tokens: number }) => a + p.tokens, 0);
    assertEquals(pointTokens, 1300 + liveTokens);
    assertEquals(w.models_history.buckets, 4);
    assert(
      w.models_history.points.every((p: { ts: string; label: string }) =>
        /^\d{4}-\d\d-\d\dT00:00:00Z$/.test(p.ts) && /^[A-Z][a-z]{2} \d{1,2}$/.test(p.label)
      ),
    );
    const shares = new Map<string, number>();
    for (const p of w.vendor_share_history.points) {
      shares.set(p.ts, (shares.get(p.ts) ?? 0) + p.share);
    }
    for (const v of shares.values()) assert(Math.abs(v - 1) < 0.001, `shares ${[...shares.values()]}`);

    // Anyone may read the board; only admins see who used it.
    const pub = await anonymous(h, "GET", "/api/rankings?period=week");
    assertEquals([pub.status, pub.body.data.users, pub.body.data.models.length], [200, null, 3]);
    assertEquals((await alice.call("GET", "/api/rankings")).body.data.users, null);

    const all = await admin.call("GET", "/api/rankings?period=all");
    assertEquals(all.body.data.models[0].model_name, "model-c");
    assert(
      all.body.data.models.every((m: Record<string, unknown>) =>
        !("previous_rank" in m) && m.growth_pct === 0
      ),
    );
    const today = await admin.call("GET", "/api/rankings?period=today");
    assertEquals(
      today.body.data.models.map((m: { model_name: string }) => m.model_name),
      ["test-model"],
    );
    assert(/^\d\d:00$/.test(today.body.data.models_history.points[0].label));

    const bad = await anonymous(h, "GET", "/api/rankings?period=decade");
    assertEquals([bad.status, bad.body.success, bad.body.message], [
      400,
      false,
      "Invalid ranking period: decade",
    ]);

    // After the hourly flush the board is the same (nothing doubled).
    await h.deps.billing.quotaData.flush(h.deps.db);
    const flushed = await admin.call("GET", "/api/rankings");
    assertEquals(flushed.body.data.models, w.models);
  },
);
