/**
 * The relay drawing on a subscription through the real HTTP path (fake OpenAI upstream, the official SDK):
 * the subscription pays and the wallet does not, the consume log says so in New API's fields, a used-up
 * subscription that forbids wallet overflow answers 403 `insufficient_user_quota` in the caller's dialect
 * with nothing charged, and one that allows it lets the wallet pay.
 */
import OpenAI from "openai";
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../support/relay.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { createSubscriptionTx, insertPlan } from "../../store/subscriptions.ts";

appTest(
  "relay: a subscription pays for requests until it is used up; the wallet only when allowed",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], userQuota: 500_000 });
    const db = h.deps.db;
    const plan = await insertPlan(db, {
      title: "Starter",
      subtitle: "",
      priceAmount: 1,
      currency: "USD",
      durationUnit: "day",
      durationValue: 30,
      customSeconds: 0,
      enabled: true,
      sortOrder: 0,
      allowBalancePay: true,
      allowWalletOverflow: false,
      stripePriceId: "",
      creemProductId: "",
      waffoPancakeProductId: "",
      maxPurchasePerUser: 0,
      upgradeGroup: "",
      downgradeGroup: "",
      totalAmount: 150,
      quotaResetPeriod: "monthly",
      quotaResetCustomSeconds: 0,
    });
    const sub = await db.transaction((tx) => createSubscriptionTx(tx, s.userId, plan, "admin"));
    await h.deps.cache.publish({ kind: "user", id: s.userId });
    const gw = gatewayClient(h, s.key);
    const ask = () =>
      gw.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 20,
      });
    const used = async () =>
      asInt(
        (await queryOne(db, "SELECT amount_used FROM user_subscriptions WHERE id = ?", [sub.id]))
          ?.amount_used,
      );

    const first = await ask();
    assert(first.choices[0].message.content);
    await settled(h);
    const log = await queryOne(db, "SELECT quota, other FROM logs WHERE type = 2 ORDER BY id DESC");
    const charged = asInt(log?.quota);
    assert(charged > 0 && charged < 150, `charged ${charged}`);
    assertEquals(await used(), charged, "the subscription paid exactly the charge");
    assertEquals(await userQuota(h, s.userId), 500_000, "the wallet paid nothing");
    const other = JSON.parse(String(log?.other));
    assertEquals([other.billing_source, other.subscription_id, other.subscription_plan_title], [
      "subscription",
      sub.id,
      "Starter",
    ]);
    assertEquals(other.subscription_remain, 150 - charged);

    // Use it up; the next request's hold does not fit and the subscription forbids the wallet.
    await db.exec("UPDATE user_subscriptions SET amount_used = 140 WHERE id = ?", [sub.id]);
    const refused = await ask().catch((e) => e);
    assert(refused instanceof OpenAI.APIError, String(refused));
    assertEquals(refused.status, 403);
    assertEquals((refused.error as { code?: string }).code, "insufficient_user_quota");
    await settled(h);
    assertEquals([await used(), await userQuota(h, s.userId)], [140, 500_000], "nothing charged");

    await db.exec("UPDATE user_subscriptions SET allow_wallet_overflow = ? WHERE id = ?", [true, sub.id]);
    await ask();
    await settled(h);
    const paid = asInt((await queryOne(db, "SELECT quota FROM logs WHERE type = 2 ORDER BY id DESC"))?.quota);
    assertEquals(
      [await used(), await userQuota(h, s.userId)],
      [140, 500_000 - paid],
      "the wallet paid this one",
    );
  },
);
