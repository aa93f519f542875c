/**
 * Stripe subscription renewals end to end on SQLite, PostgreSQL and MariaDB: a subscription bought through a
 * subscription-mode Checkout is linked to Stripe's `sub_…`; each paid `subscription_cycle` invoice, signed
 * with Stripe's real scheme (the library's test helper), extends it by one plan period with a fresh quota,
 * once per invoice however often and in whatever event type it is replayed; forged, re-priced, unknown and
 * first-invoice events change nothing; a renewal after the subscription ended starts a new one.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { checkoutEvent, FakeStripe } from "./fake_stripe.ts";
import { stripeWebhooks } from "../../payments/stripe/client.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { planEndTime } from "../../payments/subscriptions/period.ts";

const stripe = new FakeStripe();
globalThis.addEventListener("unload", () => void stripe.close());
const SECRET = "whsec_renewals_0123456789";

const event = (type: string, object: Record<string, unknown>, id = `evt_${crypto.randomUUID()}`) =>
  JSON.stringify({
    id,
    object: "event",
    api_version: "2025-01-27.acacia",
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });

const invoice = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  object: "invoice",
  subscription: "sub_renew_1",
  billing_reason: "subscription_cycle",
  status: "paid",
  subtotal: 900,
  amount_paid: 900,
  currency: "usd",
  ...fields,
});

appTest(
  "stripe renewals: each paid cycle invoice extends the subscription once, replays and forgeries change nothing",
  async (h) => {
    const { root, admin, alice } = await cast(h);
    for (const [key, value] of [["StripeApiSecret", "sk_test_renew"], ["StripeWebhookSecret", SECRET]]) {
      assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true);
    }
    const created = await admin.call("POST", "/api/subscription/admin/plans", {
      plan: { title: "Monthly", price_amount: 9, stripe_price_id: "price_monthly", total_amount: 1000 },
    });
    const planId = created.body.data.id;
    const pay = await alice.call("POST", "/api/subscription/stripe/pay", { plan_id: planId });
    assertEquals(pay.body.message, "success", pay.text);
    const session = stripe.sessions.find((s) => pay.body.data.pay_link.endsWith(s.id))!;
    const tradeNo = session.form.get("client_reference_id")!;
    const post = async (payload: string, secret = SECRET) => {
      const header = await stripeWebhooks().generateTestHeaderStringAsync({ payload, secret });
      const res = await h.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": header },
        body: payload,
      });
      await res.body?.cancel();
      return res.status;
    };
    const db = h.deps.db;
    const subOf = async () => {
      const rows = await db.query(
        "SELECT id, status, end_time, amount_used FROM user_subscriptions WHERE user_id = ? ORDER BY id",
        [alice.userId],
      );
      return rows.map((r) => ({
        id: asInt(r.id),
        status: String(r.status),
        end: asInt(r.end_time),
        used: asInt(r.amount_used),
      }));
    };
    const counts = async () => [
      asInt((await queryOne(db, "SELECT COUNT(*) AS n FROM provider_invoices"))?.n),
      asInt(
        (await queryOne(
          db,
          "SELECT COUNT(*) AS n FROM subscription_orders WHERE trade_no LIKE 'stripe_renew_%'",
        ))?.n,
      ),
    ];

    assertEquals(
      await post(checkoutEvent("checkout.session.completed", {
        client_reference_id: tradeNo,
        mode: "subscription",
        amount_subtotal: 900,
        amount_total: 900,
        subscription: "sub_renew_1",
      })),
      200,
    );
    const [bought] = await subOf();
    assertEquals(bought.status, "active");
    const link = await queryOne(
      db,
      "SELECT user_subscription_id FROM provider_subscriptions WHERE provider_subscription_id = ?",
      [
        "sub_renew_1",
      ],
    );
    assertEquals(asInt(link?.user_subscription_id), bought.id, "Stripe's subscription is linked");
    await db.exec("UPDATE user_subscriptions SET amount_used = 700 WHERE id = ?", [bought.id]);
    const first = { ...bought, used: 700 };

    // The first invoice is the checkout's: no extra period.
    assertEquals(
      await post(event("invoice.paid", invoice("in_first", { billing_reason: "subscription_create" }))),
      200,
    );
    assertEquals(await post(event("invoice.paid", invoice("in_1")), "whsec_attacker"), 400, "forged");
    assertEquals(await post(event("invoice.paid", invoice("in_1", { subtotal: 100 }))), 400, "re-priced");
    assertEquals(await post(event("invoice.paid", invoice("in_1", { status: "open" }))), 200, "not paid yet");
    assertEquals(
      await post(event("invoice.paid", invoice("in_x", { subscription: "sub_not_ours" }))),
      200,
      "unknown",
    );
    assertEquals(await subOf(), [first], "nothing changed");
    assertEquals(await counts(), [0, 0]);

    // 20 concurrent deliveries of one invoice, as invoice.paid and invoice.payment_succeeded.
    const statuses = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => post(event(i % 2 ? "invoice.payment_succeeded" : "invoice.paid", invoice("in_1"))),
      ),
    );
    assertEquals(statuses, Array(20).fill(200));
    const plan = {
      durationUnit: "month",
      durationValue: 1,
      customSeconds: 0,
      quotaResetPeriod: "never",
      quotaResetCustomSeconds: 0,
    };
    const once = planEndTime(first.end, plan)!;
    assertEquals(await subOf(), [{ ...first, end: once, used: 0 }], "one period more, the quota fresh");
    assertEquals(await counts(), [1, 1]);

    // The newer API shape names the subscription under parent.subscription_details.
    const newer = invoice("in_2", {
      subscription: null,
      parent: { subscription_details: { subscription: "sub_renew_1" } },
    });
    assertEquals(await post(event("invoice.paid", newer)), 200);
    assertEquals((await subOf())[0].end, planEndTime(once, plan)!);

    // Ended before the renewal came: a new subscription, which the link follows.
    await db.exec("UPDATE user_subscriptions SET status = 'expired' WHERE id = ?", [first.id]);
    assertEquals(await post(event("invoice.paid", invoice("in_3"))), 200);
    const after = await subOf();
    assertEquals(after.length, 2);
    assertEquals([after[1].status, after[1].used], ["active", 0]);
    assert(after[1].end > Math.floor(Date.now() / 1000) + 27 * 86400);
    const relinked = await queryOne(
      db,
      "SELECT user_subscription_id FROM provider_subscriptions WHERE provider_subscription_id = ?",
      [
        "sub_renew_1",
      ],
    );
    assertEquals(asInt(relinked?.user_subscription_id), after[1].id);
    assertEquals(await counts(), [3, 3]);

    assertEquals(
      await post(
        event("customer.subscription.deleted", {
          id: "sub_renew_1",
          object: "subscription",
          status: "canceled",
        }),
      ),
      200,
    );
    const status = await queryOne(
      db,
      "SELECT status FROM provider_subscriptions WHERE provider_subscription_id = ?",
      ["sub_renew_1"],
    );
    assertEquals(status?.status, "canceled");
    assertEquals((await subOf())[1].status, "active", "the paid period runs to its end");
  },
  { STRIPE_API_BASE: stripe.base },
);
