/**
 * Stripe Checkout end to end (T30 for Stripe): a session created through the official library against a
 * local fake API, webhooks signed with the library's test helper; an empty secret is refused at save and
 * at verify; forged, stale, re-priced, unpaid and cross-provider events credit nothing; 20 concurrent
 * replays credit once. Runs on SQLite, PostgreSQL and MariaDB.
 */
import { createHmac } from "node:crypto";
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { stripeWebhooks } from "../../payments/stripe/client.ts";
import { checkoutEvent, FakeStripe } from "./fake_stripe.ts";

const SECRET = "whsec_test_0123456789abcdef";
const PER_UNIT = 500000;
const fake = new FakeStripe();
globalThis.addEventListener("unload", () => void fake.close());

const env = { STRIPE_API_BASE: fake.base };
const quotaOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.quota as number;

async function post(h: AppHarness, payload: string, header?: string): Promise<Response> {
  return await h.app.request("/api/stripe/webhook", {
    method: "POST",
    headers: { "content-type": "application/json", ...(header ? { "stripe-signature": header } : {}) },
    body: payload,
  });
}

async function signed(payload: string, secret = SECRET, timestamp?: number): Promise<string> {
  return await stripeWebhooks().generateTestHeaderStringAsync({ payload, secret, timestamp });
}

async function configure(root: ApiClient) {
  for (
    const [key, value] of Object.entries({
      ServerAddress: "http://localhost",
      StripeApiSecret: "sk_test_fake",
      StripeWebhookSecret: SECRET,
      StripePriceId: "price_123",
      StripeUnitPrice: "8",
    })
  ) {
    const put = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(put.body.success, true, put.text);
  }
}

async function startCheckout(who: ApiClient, amount: number): Promise<string> {
  const pay = await who.call("POST", "/api/user/stripe/pay", { amount, payment_method: "stripe" });
  assertEquals(pay.body.message, "success", pay.text);
  const link: string = pay.body.data.pay_link;
  const session = fake.sessions.find((s) => link.endsWith(s.id))!;
  return session.form.get("client_reference_id")!;
}

appTest("an empty webhook secret is refused at save and at verify", async (h) => {
  const { root, alice } = await cast(h);
  const save = await root.call("PUT", "/api/option/", { key: "StripeWebhookSecret", value: "" });
  assertEquals([save.status, save.body.success], [400, false]);
  assertEquals(
    (await root.call("PUT", "/api/option/", { key: "StripeWebhookSecret", value: "  " })).status,
    400,
  );
  assertEquals(
    (await root.call("PUT", "/api/option/", { key: "StripeApiSecret", value: "pk_live_x" })).status,
    400,
  );
  await h.deps.db.exec(
    `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, 10, 80, 'ref_x', 'stripe', 'stripe', 1, 0, 'pending')`,
    [alice.userId],
  );
  // What anyone can sign while the secret is "": an HMAC with an empty key.
  const payload = checkoutEvent("checkout.session.completed", {
    client_reference_id: "ref_x",
    amount_subtotal: 8000,
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", "").update(`${t}.${payload}`).digest("hex");
  const before = await quotaOf(alice);
  const res = await post(h, payload, `t=${t},v1=${v1}`);
  assertEquals(res.status, 403);
  assertEquals(await quotaOf(alice), before);
  // Stripe Checkout is not offered without the secret either.
  const pay = await alice.call("POST", "/api/user/stripe/pay", { amount: 10, payment_method: "stripe" });
  assertEquals(pay.body.message, "error");
  assertEquals((await alice.call("GET", "/api/user/topup/info")).body.data.enable_stripe_topup, false);
}, env);

appTest(
  "a Stripe Checkout is created through the library and credited once by its signed webhook",
  async (h) => {
    const { root, alice } = await cast(h);
    await configure(root);
    assertEquals((await alice.call("POST", "/api/user/stripe/amount", { amount: 10 })).body, {
      message: "success",
      data: "80.00",
    });
    const info = (await alice.call("GET", "/api/user/topup/info")).body.data;
    assertEquals(info.enable_stripe_topup, true);
    assert(info.pay_methods.some((m: { type: string }) => m.type === "stripe"));
    const before = await quotaOf(alice);
    const tradeNo = await startCheckout(alice, 10);
    const session = fake.sessions.at(-1)!;
    assertEquals(session.auth, "Bearer sk_test_fake");
    assertEquals(session.form.get("line_items[0][price]"), "price_123");
    assertEquals(session.form.get("line_items[0][quantity]"), "10");
    assertEquals(session.form.get("mode"), "payment");
    assertEquals(session.form.get("success_url"), "http://localhost/console/log");

    const payload = checkoutEvent("checkout.session.completed", {
      client_reference_id: tradeNo,
      amount_subtotal: 8000,
      amount_total: 8000,
    });
    const header = await signed(payload);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(h, payload, header)));
    assertEquals(answers.map((a) => a.status), Array(20).fill(200), "replays are acknowledged");
    await Promise.all(answers.map((a) => a.body?.cancel()));
    assertEquals(await quotaOf(alice), before + 10 * PER_UNIT, "credited exactly once");
    const logs = await h.deps.logDb.query("SELECT id FROM logs WHERE type = 1 AND user_id = ?", [
      alice.userId,
    ]);
    assertEquals(logs.length, 1);
    const mine = (await alice.call("GET", "/api/user/topup/self")).body.data.items;
    assertEquals([mine[0].trade_no, mine[0].status, mine[0].payment_provider], [
      tradeNo,
      "success",
      "stripe",
    ]);
  },
  env,
);

appTest("forged, stale, re-priced, unpaid and cross-provider Stripe events credit nothing", async (h) => {
  const { root, alice } = await cast(h);
  await configure(root);
  const tradeNo = await startCheckout(alice, 5);
  const before = await quotaOf(alice);
  const good = { client_reference_id: tradeNo, amount_subtotal: 4000, amount_total: 4000 };
  const completed = checkoutEvent("checkout.session.completed", good);
  const cases: [string, string, string | undefined, number][] = [
    ["no signature", completed, undefined, 400],
    ["another secret", completed, await signed(completed, "whsec_attacker"), 400],
    [
      "stale timestamp",
      completed,
      await signed(completed, SECRET, Math.floor(Date.now() / 1000) - 3600),
      400,
    ],
  ];
  const tampered = completed.replace('"amount_subtotal":4000', '"amount_subtotal":4001');
  cases.push(["body changed after signing", tampered, await signed(completed), 400]);
  const cheap = checkoutEvent("checkout.session.completed", {
    ...good,
    amount_subtotal: 100,
    amount_total: 100,
  });
  cases.push(["signed, wrong amount", cheap, await signed(cheap), 400]);
  const unpaid = checkoutEvent("checkout.session.completed", { ...good, payment_status: "unpaid" });
  cases.push(["signed, unpaid", unpaid, await signed(unpaid), 200]);
  const unknown = checkoutEvent("checkout.session.completed", { ...good, client_reference_id: "ref_nope" });
  cases.push(["signed, unknown order", unknown, await signed(unknown), 400]);
  await h.deps.db.exec(
    `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, 5, 40, 'EPAY-ORDER', 'alipay', 'epay', 1, 0, 'pending')`,
    [alice.userId],
  );
  const cross = checkoutEvent("checkout.session.completed", { ...good, client_reference_id: "EPAY-ORDER" });
  cases.push(["signed, an Epay order", cross, await signed(cross), 400]);
  for (const [name, payload, header, status] of cases) {
    const res = await post(h, payload, header);
    await res.body?.cancel();
    assertEquals(res.status, status, name);
  }
  assertEquals(await quotaOf(alice), before, "nothing credited");
  // A body past ANONYMOUS_REQUEST_BODY_LIMIT_KB is refused before it is verified or read whole.
  const huge = await post(h, "x".repeat(600 * 1024), "t=1,v1=00");
  assertEquals(huge.status, 413);
  await huge.body?.cancel();
  // The delayed payment then succeeds: credited now.
  const late = checkoutEvent("checkout.session.async_payment_succeeded", good);
  assertEquals((await post(h, late, await signed(late))).status, 200);
  assertEquals(await quotaOf(alice), before + 5 * PER_UNIT);
  // An expired Checkout expires its order; a completion arriving after it credits nothing.
  const other = await startCheckout(alice, 2);
  const expired = checkoutEvent("checkout.session.expired", {
    client_reference_id: other,
    status: "expired",
  });
  assertEquals((await post(h, expired, await signed(expired))).status, 200);
  const after = checkoutEvent("checkout.session.completed", {
    client_reference_id: other,
    amount_subtotal: 1600,
  });
  assertEquals((await post(h, after, await signed(after))).status, 400);
  assertEquals(await quotaOf(alice), before + 5 * PER_UNIT);
  const row = await h.deps.db.query<{ status: string }>("SELECT status FROM top_ups WHERE trade_no = ?", [
    other,
  ]);
  assertEquals(row[0].status, "expired");
}, env);
