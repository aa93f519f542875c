/**
 * Epay top-up end to end against a local gateway speaking Epay's protocol: order → gateway → signed
 * notice → credited once; 20 concurrent replays credit once; forged, re-priced, re-methoded, unknown and
 * other-provider notices change nothing (T30 for Epay). Runs on SQLite, PostgreSQL and MariaDB.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { FakeEpay } from "./fake_epay.ts";

const PID = "1001";
const KEY = "epay-merchant-key-0123456789";
const PER_UNIT = 500000;

async function withEpay(
  h: AppHarness,
  fn: (g: FakeEpay, users: Awaited<ReturnType<typeof cast>>) => Promise<void>,
) {
  const users = await cast(h);
  const gateway = new FakeEpay(PID, KEY, async (url) => {
    const u = new URL(url);
    return await (await h.app.request(`${u.pathname}${u.search}`)).text();
  });
  try {
    for (
      const [key, value] of Object.entries({
        ServerAddress: "http://localhost",
        PayAddress: gateway.address,
        EpayId: PID,
        EpayKey: KEY,
      })
    ) {
      const put = await users.root.call("PUT", "/api/option/", { key, value });
      assertEquals(put.body.success, true, put.text);
    }
    await fn(gateway, users);
  } finally {
    await gateway.close();
  }
}

/** Starts an order for `amount` as `who` and submits its form to the gateway, as the browser would. */
async function order(g: FakeEpay, who: ApiClient, amount: number, method = "alipay"): Promise<string> {
  const pay = await who.call("POST", "/api/user/pay", { amount, payment_method: method });
  assertEquals(pay.body.message, "success", pay.text);
  assertEquals(pay.body.url, `${g.address}/submit.php`);
  const res = await fetch(pay.body.url, {
    method: "POST",
    body: new URLSearchParams(pay.body.data),
    redirect: "manual",
  });
  await res.body?.cancel();
  assertEquals(res.status, 302, "the gateway accepted our signature");
  return pay.body.data.out_trade_no;
}

const quotaOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.quota as number;

async function orderRow(h: AppHarness, tradeNo: string) {
  return await queryOne<{ status: string; amount: unknown; money: unknown; payment_provider: string }>(
    h.deps.db,
    "SELECT status, amount, money, payment_provider FROM top_ups WHERE trade_no = ?",
    [tradeNo],
  );
}

appTest("an Epay order is priced, signed, paid at the gateway and credited once", async (h) => {
  await withEpay(h, async (g, { alice, admin }) => {
    const price = await alice.call("POST", "/api/user/amount", { amount: 10 });
    assertEquals(price.body, { message: "success", data: "73.00" });
    const before = await quotaOf(alice);
    const tradeNo = await order(g, alice, 10);
    assert(tradeNo.startsWith(`USR${alice.userId}NO`));
    assertEquals((await orderRow(h, tradeNo))?.status, "pending");
    assertEquals(g.orders.get(tradeNo)?.params.money, "73.00");
    assertEquals(await quotaOf(alice), before, "nothing before the notice");

    assertEquals(await g.pay(tradeNo), "success");
    assertEquals(await quotaOf(alice), before + 10 * PER_UNIT);
    const row = await orderRow(h, tradeNo);
    assertEquals([row?.status, asInt(row?.amount), Number(row?.money), row?.payment_provider], [
      "success",
      10,
      73,
      "epay",
    ]);
    const logs = await h.deps.logDb.query<{ content: string; quota: unknown }>(
      "SELECT content, quota FROM logs WHERE type = 1 AND user_id = ?",
      [alice.userId],
    );
    assertEquals(logs.length, 1);
    assertEquals(asInt(logs[0].quota), 10 * PER_UNIT);
    assert(logs[0].content.includes("73.00"), logs[0].content);

    const mine = await alice.call("GET", "/api/user/topup/self");
    assertEquals(mine.body.data.total, 1);
    assertEquals(mine.body.data.items[0].trade_no, tradeNo);
    assertEquals(mine.body.data.items[0].status, "success");
    const all = await admin.call("GET", `/api/user/topup?keyword=${tradeNo.slice(0, 8)}`);
    assertEquals(all.body.data.items.map((t: { trade_no: string }) => t.trade_no), [tradeNo]);
  });
});

appTest("20 concurrent replays of one paid notice credit exactly once", async (h) => {
  await withEpay(h, async (g, { alice }) => {
    const before = await quotaOf(alice);
    const tradeNo = await order(g, alice, 5);
    const url = g.notice(tradeNo);
    const answers = await Promise.all(Array.from({ length: 20 }, () => g.deliver(url)));
    assertEquals(answers, Array(20).fill("success"), "Epay stops retrying either way");
    assertEquals(await quotaOf(alice), before + 5 * PER_UNIT);
    const logs = await h.deps.logDb.query("SELECT id FROM logs WHERE type = 1 AND user_id = ?", [
      alice.userId,
    ]);
    assertEquals(logs.length, 1);
    // And a replay long after changes nothing either.
    assertEquals(await g.deliver(url), "success");
    assertEquals(await quotaOf(alice), before + 5 * PER_UNIT);
  });
});

appTest("forged, re-priced, re-methoded, unknown and other-provider notices change nothing", async (h) => {
  await withEpay(h, async (g, { alice }) => {
    const before = await quotaOf(alice);
    const tradeNo = await order(g, alice, 10);
    const attacks: Record<string, string> = {
      "money raised after signing": g.notice(tradeNo, () => {}, (p) => (p.money = "0.01")),
      "signature of another key": g.notice(tradeNo, () => {}, (p) => (p.sign = "0".repeat(32))),
      "no signature": g.notice(tradeNo, () => {}, (p) => delete p.sign),
      "signed, wrong amount": g.notice(tradeNo, (p) => (p.money = "0.01")),
      "signed, wrong method": g.notice(tradeNo, (p) => (p.type = "wxpay")),
      "signed, another merchant": g.notice(tradeNo, (p) => (p.pid = "9999")),
      "signed, unknown order": g.notice(tradeNo, (p) => (p.out_trade_no = `${tradeNo}X`)),
    };
    for (const [name, url] of Object.entries(attacks)) {
      assertEquals(await g.deliver(url), "fail", name);
    }
    // An unpaid status is acknowledged and ignored.
    assertEquals(await g.deliver(g.notice(tradeNo, (p) => (p.trade_status = "WAIT_BUYER_PAY"))), "success");
    // A Stripe order cannot be completed by an Epay notice, even with the same trade number signed.
    await h.deps.db.exec(
      `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
         complete_time, status) VALUES (?, 10, 73, 'STRIPE-ORDER', 'alipay', 'stripe', 1, 0, 'pending')`,
      [alice.userId],
    );
    assertEquals(await g.deliver(g.notice(tradeNo, (p) => (p.out_trade_no = "STRIPE-ORDER"))), "fail");
    assertEquals(await quotaOf(alice), before);
    assertEquals((await orderRow(h, tradeNo))?.status, "pending");
    assertEquals((await orderRow(h, "STRIPE-ORDER"))?.status, "pending");
    // A POST notice with a body far beyond Epay's few fields is refused unread.
    const big = await h.app.request("/api/user/epay/notify", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=" + "x".repeat(64 * 1024),
    });
    assertEquals(await big.text(), "fail");
    // The genuine notice still works afterwards, here POSTed as a form (gateways do either).
    const genuine = new URL(g.notice(tradeNo));
    const posted = await h.app.request("/api/user/epay/notify", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: genuine.searchParams.toString(),
    });
    assertEquals(await posted.text(), "success");
    assertEquals(await quotaOf(alice), before + 10 * PER_UNIT);
  });
});

appTest("an administrator completes a pending order once; users cannot", async (h) => {
  await withEpay(h, async (g, { alice, admin }) => {
    const before = await quotaOf(alice);
    const tradeNo = await order(g, alice, 3);
    assertEquals((await alice.call("POST", "/api/user/topup/complete", { trade_no: tradeNo })).status, 403);
    assertEquals((await alice.call("GET", "/api/user/topup")).status, 403);
    const done = await Promise.all(
      Array.from({ length: 5 }, () => admin.call("POST", "/api/user/topup/complete", { trade_no: tradeNo })),
    );
    assert(done.every((d) => d.body.success), done.map((d) => d.text).join("\n"));
    assertEquals(await quotaOf(alice), before + 3 * PER_UNIT);
    assertEquals(await g.pay(tradeNo), "success", "the late notice is a replay");
    assertEquals(await quotaOf(alice), before + 3 * PER_UNIT);
    const nul = await admin.call("POST", "/api/user/topup/complete", { trade_no: "a\u0000b" });
    assertEquals([nul.status, nul.body.success], [400, false]);
    assertEquals((await admin.call("GET", "/api/user/topup?keyword=a%00b")).status, 400);
    assertEquals((await alice.call("GET", "/api/user/topup/self?keyword=a%00b")).status, 400);
    const missing = await admin.call("POST", "/api/user/topup/complete", { trade_no: "nope" });
    assertEquals([missing.status, missing.body.success], [404, false]);
  });
});

appTest("prices follow Price, TopupGroupRatio and AmountDiscount; bad amounts are refused", async (h) => {
  await withEpay(h, async (_g, { root, alice }) => {
    const put = (key: string, value: string) => root.call("PUT", "/api/option/", { key, value });
    assertEquals((await put("Price", "2")).body.success, true);
    assertEquals((await put("TopupGroupRatio", JSON.stringify({ default: 1.5 }))).body.success, true);
    assertEquals(
      (await put("payment_setting.amount_discount", JSON.stringify({ "100": 0.8 }))).body.success,
      true,
    );
    assertEquals((await put("MinTopUp", "5")).body.success, true);
    const amount = async (body: unknown) => (await alice.call("POST", "/api/user/amount", body)).body;
    assertEquals(await amount({ amount: 10 }), { message: "success", data: "30.00" });
    assertEquals(await amount({ amount: 100 }), { message: "success", data: "240.00" });
    assertEquals((await amount({ amount: 4 })).message, "error");
    assertEquals(await amount({ amount: 4 }), {
      message: "error",
      data: "The amount cannot be less than 5.",
    });
    assertEquals((await amount({ amount: "ten" })).message, "error");
    assertEquals((await amount({ amount: 1e15 })).message, "error");
    const pay = await alice.call("POST", "/api/user/pay", { amount: 10, payment_method: "bitcoin" });
    assertEquals([pay.status, pay.body.message], [200, "error"]);
    assertEquals(await h.deps.db.query("SELECT id FROM top_ups"), [], "no order for a refused request");
    const info = await alice.call("GET", "/api/user/topup/info");
    assertEquals(info.body.data.enable_online_topup, true);
    assertEquals(info.body.data.min_topup, 5);
    assertEquals(info.body.data.discount, { "100": 0.8 });
    assertEquals(info.body.data.pay_methods.map((m: { type: string }) => m.type), ["alipay", "wxpay"]);
  });
});

appTest("payment options are validated and shown as implemented", async (h) => {
  const { root } = await cast(h);
  const put = (key: string, value: string) => root.call("PUT", "/api/option/", { key, value });
  for (
    const [key, value] of [
      ["PayAddress", "javascript:alert(1)"],
      ["PayAddress", "https://user:pw@pay.example"],
      ["Price", "0"],
      ["Price", "-1"],
      ["MinTopUp", "0"],
      ["PayMethods", '[{"name":"x"}]'],
      ["payment_setting.amount_options", "[10, -1]"],
      ["payment_setting.amount_discount", '{"10": 0}'],
      ["TopupGroupRatio", '{"default": -1}'],
    ]
  ) {
    const r = await put(key, value);
    assertEquals([r.status, r.body.success], [400, false], `${key}=${value}`);
  }
  const options = await root.call("GET", "/api/option/");
  const byKey = new Map(options.body.data.map((o: { key: string; implemented: boolean }) => [o.key, o]));
  for (const key of ["PayAddress", "EpayId", "PayMethods", "Price", "MinTopUp", "TopupGroupRatio"]) {
    assertEquals((byKey.get(key) as { implemented: boolean }).implemented, true, key);
  }
  assert(!byKey.has("EpayKey"), "the Epay key is a secret, never listed");
});

appTest(
  "a paid notice that would pass the balance ceiling credits nothing and keeps the order pending",
  async (h) => {
    await withEpay(h, async (g, { alice }) => {
      const tradeNo = await order(g, alice, 10);
      // The balance grew (another credit) between the order and its notice, to just under the ceiling.
      const ceiling = 1_000_000_000 * PER_UNIT;
      await h.deps.db.exec("UPDATE users SET quota = ? WHERE id = ?", [ceiling - 1, alice.userId]);
      await h.deps.cache.publish({ kind: "user", id: alice.userId });
      assertEquals(await g.pay(tradeNo), "fail");
      assertEquals((await orderRow(h, tradeNo))?.status, "pending", "left for an administrator");
      assertEquals(await quotaOf(alice), ceiling - 1);
      const logs = await h.deps.logDb.query("SELECT id FROM logs WHERE type = 1 AND user_id = ?", [
        alice.userId,
      ]);
      assertEquals(logs.length, 0);
    });
  },
);
