/**
 * Paying for a subscription through Epay, Creem and Stripe, end to end against the local fakes of each: the signed
 * notice (or webhook) creates the subscription once, 20 concurrent replays included; a forged, re-priced,
 * re-methoded or cross-provider callback creates nothing; Epay's signed return completes the same order and
 * an unsigned one changes nothing. Runs on SQLite, PostgreSQL and MariaDB.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { FakeEpay } from "./fake_epay.ts";
import { checkoutCompleted, FakeCreem, signed } from "./fake_creem.ts";
import { checkoutEvent, FakeStripe } from "./fake_stripe.ts";
import { stripeWebhooks } from "../../payments/stripe/client.ts";

const PID = "1001";
const KEY = "epay-merchant-key-subscriptions";
const CREEM_SECRET = "creem_whsec_subscriptions";
const CREEM_KEY = "creem_key_subscriptions";
const creem = new FakeCreem(CREEM_KEY);
globalThis.addEventListener("unload", () => void creem.close());
const env = { CREEM_API_BASE: creem.base };

const activeOf = async (who: ApiClient) =>
  (await who.call("GET", "/api/subscription/self")).body.data.subscriptions as {
    subscription: { plan_id: number };
  }[];

async function configure(root: ApiClient, gateway: FakeEpay) {
  for (
    const [key, value] of Object.entries({
      ServerAddress: "http://localhost",
      PayAddress: gateway.address,
      EpayId: PID,
      EpayKey: KEY,
      CreemApiKey: CREEM_KEY,
      CreemWebhookSecret: CREEM_SECRET,
      CreemProducts: JSON.stringify([{
        productId: "prod_x",
        name: "x",
        price: 1,
        currency: "USD",
        quota: 1,
      }]),
    })
  ) {
    const put = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(put.body.success, true, put.text);
  }
}

async function createPlan(admin: ApiClient, plan: Record<string, unknown>): Promise<number> {
  const res = await admin.call("POST", "/api/subscription/admin/plans", { plan });
  assertEquals(res.body.success, true, res.text);
  return res.body.data.id;
}

appTest("a subscription paid through Epay is created once by the signed notice", async (h) => {
  const { root, admin, alice } = await cast(h);
  const gateway = new FakeEpay(PID, KEY, async (url) => {
    const u = new URL(url);
    return await (await h.app.request(`${u.pathname}${u.search}`)).text();
  });
  try {
    await configure(root, gateway);
    const plan = await createPlan(admin, { title: "Pro", price_amount: 19.9, total_amount: 1000000 });
    const pay = await alice.call("POST", "/api/subscription/epay/pay", {
      plan_id: plan,
      payment_method: "alipay",
    });
    assertEquals(pay.body.message, "success", pay.text);
    const tradeNo: string = pay.body.data.out_trade_no;
    assert(tradeNo.startsWith(`SUBUSR${alice.userId}NO`), tradeNo);
    assertEquals([pay.body.url, pay.body.data.money, pay.body.data.name], [
      `${gateway.address}/submit.php`,
      "19.90",
      `SUBPLAN${plan}`,
    ]);
    assert(pay.body.data.notify_url.endsWith("/api/subscription/epay/notify"));
    const submitted = await fetch(pay.body.url, {
      method: "POST",
      body: new URLSearchParams(pay.body.data),
      redirect: "manual",
    });
    await submitted.body?.cancel();
    assertEquals(submitted.status, 302, "the gateway accepted the signature");
    assertEquals(await activeOf(alice), [], "nothing before the notice");

    // Forged or altered notices create nothing.
    const forged = new URL(gateway.notice(tradeNo, () => {}, (p) => (p.money = "0.01")));
    const cheap = new URL(gateway.notice(tradeNo, (p) => (p.money = "0.01")));
    const method = new URL(gateway.notice(tradeNo, (p) => (p.type = "wxpay")));
    for (const u of [forged, cheap, method]) {
      assertEquals(await (await h.app.request(`${u.pathname}${u.search}`)).text(), "fail");
    }
    const unsignedReturn = await h.app.request(
      `/api/subscription/epay/return?out_trade_no=${tradeNo}&trade_status=TRADE_SUCCESS`,
    );
    assertEquals(unsignedReturn.status, 302);
    assert(unsignedReturn.headers.get("location")!.includes("pay=fail"));
    assertEquals(await activeOf(alice), []);

    const genuine = new URL(gateway.notice(tradeNo));
    const answers = await Promise.all(
      Array.from(
        { length: 20 },
        async () => await (await h.app.request(`${genuine.pathname}${genuine.search}`)).text(),
      ),
    );
    assertEquals(answers, Array(20).fill("success"));
    const active = await activeOf(alice);
    assertEquals(active.length, 1, "one subscription for one paid order");
    assertEquals(active[0].subscription.plan_id, plan);
    const order = await h.deps.db.query<{ status: string }>(
      "SELECT status FROM subscription_orders WHERE trade_no = ?",
      [tradeNo],
    );
    assertEquals(order[0].status, "success");
    // The signed return of the same payment is acknowledged and changes nothing more.
    const ret = new URL(gateway.notice(tradeNo));
    const back = await h.app.request(`/api/subscription/epay/return${ret.search}`);
    assertEquals(back.status, 302);
    assert(back.headers.get("location")!.endsWith("/console/topup?pay=success&show_history=true"));
    assertEquals((await activeOf(alice)).length, 1);
    // A top-up notice route never completes a subscription order (another table, another route).
    const cross = new URL(gateway.notice(tradeNo));
    assertEquals(await (await h.app.request(`/api/user/epay/notify${cross.search}`)).text(), "fail");
  } finally {
    await gateway.close();
  }
}, env);

appTest("a subscription paid through Creem is created once by the signed webhook", async (h) => {
  const { root, admin, alice } = await cast(h);
  const gateway = new FakeEpay(PID, KEY, () => Promise.resolve(""));
  try {
    await configure(root, gateway);
    const noProduct = await createPlan(admin, { title: "No product", price_amount: 5 });
    const refused = await alice.call("POST", "/api/subscription/creem/pay", { plan_id: noProduct });
    assertEquals(refused.body.message, "error", "a plan without creem_product_id is not sold through Creem");
    const plan = await createPlan(admin, { title: "Creem", price_amount: 5, creem_product_id: "prod_sub" });
    const pay = await alice.call("POST", "/api/subscription/creem/pay", { plan_id: plan });
    assertEquals(pay.body.message, "success", pay.text);
    const tradeNo: string = pay.body.data.order_id;
    assertEquals(creem.checkouts.at(-1)!.body.product_id, "prod_sub");
    const post = (body: string, signature: string) =>
      h.app.request("/api/creem/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "creem-signature": signature },
        body,
      });
    const cheap = checkoutCompleted(tradeNo, { sub_total: 1, type: "recurring" });
    assertEquals((await post(cheap, signed(cheap, CREEM_SECRET))).status, 400, "re-priced");
    const good = checkoutCompleted(tradeNo, { sub_total: 500, type: "recurring" });
    assertEquals((await post(good, signed(good, "attacker"))).status, 401, "forged");
    assertEquals(await activeOf(alice), []);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(good, signed(good, CREEM_SECRET))),
    );
    assertEquals(answers.map((a) => a.status), Array(20).fill(200));
    await Promise.all(answers.map((a) => a.body?.cancel()));
    assertEquals((await activeOf(alice)).length, 1, "created exactly once");
  } finally {
    await gateway.close();
  }
}, env);

const stripe = new FakeStripe();
globalThis.addEventListener("unload", () => void stripe.close());
const STRIPE_SECRET = "whsec_subscriptions_0123456789";

appTest("a subscription paid through Stripe Checkout is created once by the signed webhook", async (h) => {
  const { root, admin, alice } = await cast(h);
  for (const [key, value] of [["StripeApiSecret", "sk_test_sub"], ["StripeWebhookSecret", STRIPE_SECRET]]) {
    assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true);
  }
  const noPrice = await createPlan(admin, { title: "No price", price_amount: 9 });
  assertEquals(
    (await alice.call("POST", "/api/subscription/stripe/pay", { plan_id: noPrice })).body.message,
    "error",
  );
  const plan = await createPlan(admin, { title: "Stripe", price_amount: 9, stripe_price_id: "price_sub" });
  const pay = await alice.call("POST", "/api/subscription/stripe/pay", { plan_id: plan });
  assertEquals(pay.body.message, "success", pay.text);
  const session = stripe.sessions.find((s) => pay.body.data.pay_link.endsWith(s.id))!;
  assertEquals([session.form.get("mode"), session.form.get("line_items[0][price]")], [
    "subscription",
    "price_sub",
  ]);
  const tradeNo = session.form.get("client_reference_id")!;
  assert(tradeNo.startsWith("sub_ref_"), tradeNo);
  const post = async (payload: string, secret = STRIPE_SECRET) => {
    const header = await stripeWebhooks().generateTestHeaderStringAsync({ payload, secret });
    const res = await h.app.request("/api/stripe/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": header },
      body: payload,
    });
    await res.body?.cancel();
    return res.status;
  };
  const fields = {
    client_reference_id: tradeNo,
    mode: "subscription",
    amount_subtotal: 900,
    amount_total: 900,
  };
  assertEquals(
    await post(checkoutEvent("checkout.session.completed", fields), "whsec_attacker"),
    400,
    "forged",
  );
  const cheap = checkoutEvent("checkout.session.completed", { ...fields, amount_subtotal: 100 });
  assertEquals(await post(cheap), 400, "re-priced");
  const asPayment = checkoutEvent("checkout.session.completed", { ...fields, mode: "payment" });
  assertEquals(await post(asPayment), 400, "not a subscription session");
  assertEquals(await activeOf(alice), []);
  const good = checkoutEvent("checkout.session.completed", fields);
  const statuses = await Promise.all(Array.from({ length: 20 }, () => post(good)));
  assertEquals(statuses, Array(20).fill(200));
  assertEquals((await activeOf(alice)).length, 1, "created exactly once");
}, { ...env, STRIPE_API_BASE: stripe.base });

appTest(
  "a paid subscription order whose user is gone is refused, not a 500, and stays pending",
  async (h) => {
    const { root, admin, alice } = await cast(h);
    const gateway = new FakeEpay(PID, KEY, () => Promise.resolve(""));
    try {
      await configure(root, gateway);
      const plan = await createPlan(admin, { title: "Creem", price_amount: 5, creem_product_id: "prod_sub" });
      const pay = await alice.call("POST", "/api/subscription/creem/pay", { plan_id: plan });
      const tradeNo: string = pay.body.data.order_id;
      await h.deps.db.exec("UPDATE users SET deleted_at = ? WHERE id = ?", [
        "2026-01-01 00:00:00",
        alice.userId,
      ]);
      const body = checkoutCompleted(tradeNo, { sub_total: 500 });
      const res = await h.app.request("/api/creem/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "creem-signature": signed(body, CREEM_SECRET) },
        body,
      });
      await res.body?.cancel();
      assertEquals(res.status, 400);
      const rows = await h.deps.db.query<{ status: string }>(
        "SELECT status FROM subscription_orders WHERE trade_no = ?",
        [tradeNo],
      );
      assertEquals(rows[0].status, "pending", "the claim was rolled back");
      assertEquals((await h.deps.db.query("SELECT id FROM user_subscriptions")).length, 0);
    } finally {
      await gateway.close();
    }
  },
  env,
);
