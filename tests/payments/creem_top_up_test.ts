/**
 * Creem end to end: a checkout created against a local fake of Creem's API, webhooks signed with Creem's
 * scheme (hex HMAC-SHA256 of the body under the webhook secret). An empty secret is refused at save and at
 * verify (test mode or not); forged, tampered, unsigned, re-priced, unpaid, unknown and cross-provider
 * callbacks credit nothing and are answered with an error; 20 concurrent replays credit once. Runs on
 * SQLite, PostgreSQL and MariaDB.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { checkoutCompleted, FakeCreem, signed } from "./fake_creem.ts";

const SECRET = "creem_whsec_0123456789";
const API_KEY = "creem_test_key_abc";
const fake = new FakeCreem(API_KEY);
globalThis.addEventListener("unload", () => void fake.close());

const env = { CREEM_API_BASE: fake.base };
const PRODUCTS = [
  { productId: "prod_small", name: "Small", price: 4.99, currency: "USD", quota: 250000 },
  { productId: "prod_big", name: "Big", price: 19.9, currency: "USD", quota: 1500000 },
];
const quotaOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.quota as number;

async function post(h: AppHarness, body: string, signature?: string): Promise<Response> {
  return await h.app.request("/api/creem/webhook", {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "creem-signature": signature } : {}) },
    body,
  });
}

async function configure(root: ApiClient, testMode = "false") {
  for (
    const [key, value] of Object.entries({
      CreemApiKey: API_KEY,
      CreemWebhookSecret: SECRET,
      CreemProducts: JSON.stringify(PRODUCTS),
      CreemTestMode: testMode,
    })
  ) {
    const put = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(put.body.success, true, put.text);
  }
}

async function startCheckout(who: ApiClient, productId: string): Promise<string> {
  const pay = await who.call("POST", "/api/user/creem/pay", {
    product_id: productId,
    payment_method: "creem",
  });
  assertEquals(pay.body.message, "success", pay.text);
  const checkout = fake.checkouts.find((c) => pay.body.data.checkout_url.endsWith(c.id))!;
  assertEquals(checkout.body.request_id, pay.body.data.order_id);
  return pay.body.data.order_id;
}

appTest("Creem: an empty webhook secret is refused at save and at verify, test mode or not", async (h) => {
  const { root, alice } = await cast(h);
  for (const value of ["", "   "]) {
    const save = await root.call("PUT", "/api/option/", { key: "CreemWebhookSecret", value });
    assertEquals([save.status, save.body.success], [400, false]);
  }
  const bad = await root.call("PUT", "/api/option/", { key: "CreemProducts", value: '[{"productId":"p"}]' });
  assertEquals(bad.status, 400, "a product without price and quota");
  for (const [key, value] of [["CreemApiKey", API_KEY], ["CreemProducts", JSON.stringify(PRODUCTS)]]) {
    assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true);
  }
  await root.call("PUT", "/api/option/", { key: "CreemTestMode", value: "true" });
  await h.deps.db.exec(
    `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, 250000, 4.99, 'ref_x', 'creem', 'creem', 1, 0, 'pending')`,
    [alice.userId],
  );
  const body = checkoutCompleted("ref_x", { sub_total: 499 });
  const before = await quotaOf(alice);
  for (const signature of [signed(body, ""), undefined, "anything"]) {
    const res = await post(h, body, signature);
    await res.body?.cancel();
    assertEquals(res.status, 403, "no secret: nothing is verifiable, so nothing is accepted");
  }
  assertEquals(await quotaOf(alice), before);
  const info = (await alice.call("GET", "/api/user/topup/info")).body.data;
  assertEquals([info.enable_creem_topup, info.creem_products], [false, []]);
  const pay = await alice.call("POST", "/api/user/creem/pay", {
    product_id: "prod_small",
    payment_method: "creem",
  });
  assertEquals(pay.body.message, "error");
  assertEquals(fake.checkouts.length, 0, "Creem is never called while it is off");
}, env);

appTest(
  "Creem: a checkout is created with the API key and credited once by its signed webhook",
  async (h) => {
    const { root, alice } = await cast(h);
    await configure(root);
    const info = (await alice.call("GET", "/api/user/topup/info")).body.data;
    assertEquals(info.enable_creem_topup, true);
    assertEquals(info.creem_products.map((p: { productId: string }) => p.productId), [
      "prod_small",
      "prod_big",
    ]);
    const wrong = await alice.call("POST", "/api/user/creem/pay", {
      product_id: "prod_nope",
      payment_method: "creem",
    });
    assertEquals(wrong.body.message, "error");
    const method = await alice.call("POST", "/api/user/creem/pay", {
      product_id: "prod_big",
      payment_method: "stripe",
    });
    assertEquals(method.body.message, "error");

    const before = await quotaOf(alice);
    const tradeNo = await startCheckout(alice, "prod_big");
    assert(/^ref_[0-9a-f]{40}$/.test(tradeNo), tradeNo);
    const sent = fake.checkouts.at(-1)!.body;
    assertEquals([sent.product_id, sent.metadata?.quota], ["prod_big", "1500000"]);
    const pending = (await alice.call("GET", "/api/user/topup/self")).body.data.items[0];
    assertEquals([
      pending.amount,
      pending.money,
      pending.payment_method,
      pending.payment_provider,
      pending.status,
    ], [
      1500000,
      19.9,
      "creem",
      "creem",
      "pending",
    ]);

    const body = checkoutCompleted(tradeNo, { sub_total: 1990 });
    const signature = signed(body, SECRET);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(h, body, signature)));
    assertEquals(answers.map((a) => a.status), Array(20).fill(200), "replays are acknowledged");
    await Promise.all(answers.map((a) => a.body?.cancel()));
    assertEquals(await quotaOf(alice), before + 1500000, "the product's quota, credited exactly once");
    const logs = await h.deps.logDb.query("SELECT id FROM logs WHERE type = 1 AND user_id = ?", [
      alice.userId,
    ]);
    assertEquals(logs.length, 1);
    const done = (await alice.call("GET", "/api/user/topup/self")).body.data.items[0];
    assertEquals(done.status, "success");
  },
  env,
);

appTest(
  "Creem: forged, tampered, re-priced, unpaid, unknown and cross-provider callbacks credit nothing",
  async (h) => {
    const { root, alice } = await cast(h);
    await configure(root, "true");
    const tradeNo = await startCheckout(alice, "prod_small");
    const before = await quotaOf(alice);
    const good = checkoutCompleted(tradeNo, { sub_total: 499 });
    await h.deps.db.exec(
      `INSERT INTO top_ups (user_id, amount, money, trade_no, payment_method, payment_provider, create_time,
       complete_time, status) VALUES (?, 5, 4.99, 'EPAY-ORDER', 'alipay', 'epay', 1, 0, 'pending')`,
      [alice.userId],
    );
    const cases: [string, string, string | undefined, number][] = [
      ["no signature, test mode", good, undefined, 401],
      ["another secret", good, signed(good, "attacker"), 401],
      [
        "body changed after signing",
        good.replace('"sub_total":499', '"sub_total":498'),
        signed(good, SECRET),
        401,
      ],
      ["not JSON", "{", signed("{", SECRET), 400],
    ];
    const sign = (name: string, body: string, status: number) =>
      cases.push([name, body, signed(body, SECRET), status]);
    sign("signed, wrong amount", checkoutCompleted(tradeNo, { sub_total: 1 }), 400);
    sign("signed, unknown order", checkoutCompleted("ref_nope", { sub_total: 499 }), 400);
    sign("signed, an Epay order", checkoutCompleted("EPAY-ORDER", { sub_total: 499 }), 400);
    sign(
      "signed, a subscription order type",
      checkoutCompleted(tradeNo, { sub_total: 499, type: "recurring" }),
      400,
    );
    sign("signed, unpaid", checkoutCompleted(tradeNo, { sub_total: 499, status: "pending" }), 200);
    sign("signed, another event", checkoutCompleted(tradeNo, { sub_total: 499 }, "refund.created"), 200);
    for (const [name, body, signature, status] of cases) {
      const res = await post(h, body, signature);
      await res.body?.cancel();
      assertEquals(res.status, status, name);
    }
    assertEquals(await quotaOf(alice), before, "nothing credited");
    const rows = await h.deps.db.query<{ trade_no: string; status: string }>(
      "SELECT trade_no, status FROM top_ups ORDER BY trade_no",
    );
    assertEquals(rows.map((r) => r.status), ["pending", "pending"], "both orders untouched");
    const huge = await post(h, "x".repeat(600 * 1024), "00");
    assertEquals(huge.status, 413, "a body past the anonymous cap is refused unread");
    await huge.body?.cancel();
    // The genuine callback still works afterwards.
    const res = await post(h, good, signed(good, SECRET));
    assertEquals(res.status, 200);
    assertEquals(await quotaOf(alice), before + 250000);
  },
  env,
);
