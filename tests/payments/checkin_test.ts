/**
 * New API's daily check-in end to end: refused while off, once per user per server-local day (a second
 * the same day is refused, another day is not), 20 concurrent check-ins credit once, the reward is drawn
 * from the configured range (fixed, random, inverted), each credit has its one system log row, and the
 * options are checked before they are saved. Runs on SQLite, PostgreSQL and MariaDB.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { localDay } from "../../store/checkins.ts";
import { msg } from "../../routes/api/messages.ts";

async function setOptions(root: ApiClient, values: Record<string, string>) {
  for (const [key, value] of Object.entries(values)) {
    const put = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(put.body.success, true, put.text);
  }
}

const quotaOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.quota as number;

async function counts(h: AppHarness, userId: number) {
  const rows = await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM checkins WHERE user_id = ?", [userId]);
  const logs = await queryOne(
    h.deps.logDb,
    "SELECT COUNT(*) AS n FROM logs WHERE user_id = ? AND type = 4 AND content LIKE ?",
    [userId, "Checked in%"],
  );
  return { rows: asInt(rows?.n), logs: asInt(logs?.n) };
}

appTest("check-in is refused while checkin_setting.enabled is off, and credits nothing", async (h) => {
  const { alice } = await cast(h);
  const before = await quotaOf(alice);
  for (const method of ["GET", "POST"]) {
    const res = await alice.call(method, "/api/user/checkin");
    assertEquals(res.body.success, false, res.text);
    assertEquals(res.body.message, msg("api.checkin_disabled"));
  }
  assertEquals(await quotaOf(alice), before);
  assertEquals(await counts(h, alice.userId), { rows: 0, logs: 0 });
  const status = await alice.call("GET", "/api/status");
  assertEquals(status.body.data.checkin_enabled, false);
});

appTest("a check-in credits the reward once; a second the same day is refused", async (h) => {
  const { root, alice, bob } = await cast(h);
  await setOptions(root, {
    "checkin_setting.enabled": "true",
    "checkin_setting.min_quota": "777",
    "checkin_setting.max_quota": "777",
  });
  assertEquals((await alice.call("GET", "/api/status")).body.data.checkin_enabled, true);
  const before = await quotaOf(alice);
  const first = await alice.call("POST", "/api/user/checkin");
  assertEquals(first.body.success, true, first.text);
  assertEquals(first.body.message, msg("api.checkin_success"));
  assertEquals(first.body.data, { quota_awarded: 777, checkin_date: localDay() });
  assertEquals(await quotaOf(alice), before + 777);

  const second = await alice.call("POST", "/api/user/checkin");
  assertEquals(second.body.success, false, second.text);
  assertEquals(second.body.message, msg("api.checkin_already"));
  assertEquals(await quotaOf(alice), before + 777);
  assertEquals(await counts(h, alice.userId), { rows: 1, logs: 1 });

  // Another user's day is their own.
  assertEquals((await bob.call("POST", "/api/user/checkin")).body.success, true);

  const status = await alice.call("GET", "/api/user/checkin");
  assertEquals(status.body.success, true, status.text);
  assertEquals(status.body.data, {
    enabled: true,
    min_quota: 777,
    max_quota: 777,
    stats: {
      total_quota: 777,
      total_checkins: 1,
      checkin_count: 1,
      checked_in_today: true,
      records: [{ checkin_date: localDay(), quota_awarded: 777 }],
    },
  });
});

appTest("20 concurrent check-ins of one user credit exactly once", async (h) => {
  const { root, alice } = await cast(h);
  await setOptions(root, {
    "checkin_setting.enabled": "true",
    "checkin_setting.min_quota": "1000",
    "checkin_setting.max_quota": "1000",
  });
  const before = await quotaOf(alice);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => alice.call("POST", "/api/user/checkin")),
  );
  const won = answers.filter((a) => a.body.success === true);
  assertEquals(won.length, 1, answers.map((a) => a.text).join("\n"));
  for (const a of answers) {
    if (a.body.success !== true) assertEquals(a.body.message, msg("api.checkin_already"), a.text);
  }
  assertEquals(await quotaOf(alice), before + 1000);
  assertEquals(await counts(h, alice.userId), { rows: 1, logs: 1 });
});

appTest("the day is the server's calendar day: yesterday's row does not block, today's does", async (h) => {
  const { root, alice, bob } = await cast(h);
  await setOptions(root, { "checkin_setting.enabled": "true" });
  const yesterday = localDay(new Date(Date.now() - 24 * 3600 * 1000));
  const insert =
    "INSERT INTO checkins (user_id, checkin_date, quota_awarded, created_at) VALUES (?, ?, 5, 0)";
  await h.deps.db.exec(insert, [alice.userId, yesterday]);
  await h.deps.db.exec(insert, [bob.userId, localDay()]);
  assertEquals((await alice.call("POST", "/api/user/checkin")).body.success, true);
  const bobs = await bob.call("POST", "/api/user/checkin");
  assertEquals(bobs.body.message, msg("api.checkin_already"), bobs.text);

  const stats = (await alice.call("GET", "/api/user/checkin")).body.data.stats;
  assertEquals(stats.total_checkins, 2);
  const month = yesterday.slice(0, 7);
  const past = (await alice.call("GET", `/api/user/checkin?month=${month}`)).body.data.stats;
  assert(
    past.records.some((r: { checkin_date: string }) => r.checkin_date === yesterday),
    JSON.stringify(past),
  );
  const none = (await alice.call("GET", "/api/user/checkin?month=2001-01")).body.data.stats;
  assertEquals([none.records, none.checkin_count, none.total_checkins], [[], 0, 2]);
  const bad = await alice.call("GET", "/api/user/checkin?month=2001-13");
  assertEquals([bad.status, bad.body.success], [400, false], bad.text);
});

appTest("the reward is drawn from the range, both ends included; an inverted range is swapped", async (h) => {
  const { root, admin, alice, bob } = await cast(h);
  await setOptions(root, {
    "checkin_setting.enabled": "true",
    "checkin_setting.min_quota": "100",
    "checkin_setting.max_quota": "102",
  });
  const got = new Set<number>();
  for (const who of [root, admin, alice]) {
    const a = await who.call("POST", "/api/user/checkin");
    assertEquals(a.body.success, true, a.text);
    got.add(a.body.data.quota_awarded);
  }
  for (const q of got) assert(q >= 100 && q <= 102, `reward ${q}`);
  await setOptions(root, { "checkin_setting.min_quota": "500", "checkin_setting.max_quota": "300" });
  const inverted = (await bob.call("POST", "/api/user/checkin")).body.data.quota_awarded;
  assert(inverted >= 300 && inverted <= 500, `reward ${inverted}`);
});

appTest("check-in options are checked before they are saved", async (h) => {
  const { root } = await cast(h);
  for (
    const [key, value] of [
      ["checkin_setting.enabled", "yes"],
      ["checkin_setting.min_quota", "-1"],
      ["checkin_setting.max_quota", "1e3"],
      ["checkin_setting.max_quota", "99999999999"],
    ]
  ) {
    const put = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(put.body.success, false, `${key}=${value}: ${put.text}`);
  }
  const listed = (await root.call("GET", "/api/option/")).body.data as {
    key: string;
    implemented?: boolean;
  }[];
  const mine = listed.filter((o) => o.key.startsWith("checkin_setting."));
  assertEquals(mine.length, 3);
  assert(mine.every((o) => o.implemented !== false), JSON.stringify(mine));
});

appTest(
  "a reward that would pass the balance ceiling is refused and leaves no row, credit or log",
  async (h) => {
    const { root, alice } = await cast(h);
    await setOptions(root, {
      "checkin_setting.enabled": "true",
      "checkin_setting.min_quota": "777",
      "checkin_setting.max_quota": "777",
    });
    const ceiling = 1_000_000_000 * 500000;
    await h.deps.db.exec("UPDATE users SET quota = ? WHERE id = ?", [ceiling - 10, alice.userId]);
    const res = await alice.call("POST", "/api/user/checkin");
    assertEquals([res.body.success, res.body.message], [false, msg("api.checkin_failed")], res.text);
    const row = await queryOne(h.deps.db, "SELECT quota FROM users WHERE id = ?", [alice.userId]);
    assertEquals(asInt(row?.quota), ceiling - 10);
    assertEquals(await counts(h, alice.userId), { rows: 0, logs: 0 });
  },
);
