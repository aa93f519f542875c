/**
 * The wallet's online top-up and the admin's orders page in headless Chromium against the real server
 * process and a local Epay gateway: an amount chosen from AmountOptions is priced with its AmountDiscount,
 * the pay button takes the browser to the gateway's cashier with a form signed by EpayKey, the gateway's
 * signed notice credits the balance once, and the wallet the gateway sends the user back to shows the order
 * paid and the new balance. An administrator finds a pending order by its trade number and marks it paid.
 * A subscription plan is bought from the balance on the same page.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, confirmDialog, en, openPage } from "../support/console_page.ts";
import { formatQuota } from "../../client/format.ts";
import { FakeEpay } from "../payments/fake_epay.ts";

const PID = "1001";
const KEY = "wallet-test-merchant-key";

Deno.test({
  name: "wallet: an Epay top-up from the Wallet page reaches the cashier and credits the balance once",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    const gateway = new FakeEpay(PID, KEY, async (url) => await (await fetch(url)).text());
    try {
      await withConsoleServer(async (server) => {
        const base = server.url;
        await server.setUp("root", "root-password-1");
        const session = await server.signIn("root", "root-password-1");
        for (
          const [k, v] of Object.entries({
            ServerAddress: base,
            PayAddress: gateway.address,
            EpayId: PID,
            EpayKey: KEY,
            Price: "7.3",
            "payment_setting.amount_options": "[10,20]",
            "payment_setting.amount_discount": '{"20":0.9}',
          })
        ) await server.setOption(session, k, v);
        const get = async (path: string) =>
          (await (await fetch(`${base}${path}`, { headers: { cookie: `session=${session}` } })).json()).data;
        const quotaNow = async () => (await get("/api/user/self")).quota as number;
        const before = await quotaNow();

        const browser = await launchBrowser();
        try {
          await withContext(browser, server.signedIn(session), async (page) => {
            const problems = watchPage(page);
            let tradeNo = "";
            await ctx.step("choose an amount, see its discounted price, pay at the gateway", async () => {
              await openPage(page, `${base}/console/topup`);
              const online = page.locator('[data-section="online-topup"]');
              await online.getByRole("heading", { name: en("topup.online") }).waitFor();
              await button(page, `20 (${en("topup.discount", { percent: 10 })})`, online).click();
              await online.getByText(en("topup.to_pay", { price: "131.40" })).waitFor();
              await button(page, en("topup.pay_with", { method: "支付宝" }), online).click();
              await page.waitForURL(`${gateway.address}/cashier/**`);
              tradeNo = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
              await page.getByText(`Order ${tradeNo}: pay 131.40`).waitFor();
              const sent = gateway.orders.get(tradeNo)!.params;
              assertEquals([sent.type, sent.money, sent.pid], ["alipay", "131.40", PID]);
              assertEquals(await quotaNow(), before, "nothing credited before the notice");
            });

            await ctx.step("the gateway's notice credits once; the wallet shows the order paid", async () => {
              assertEquals(await gateway.pay(tradeNo), "success");
              assertEquals(await gateway.pay(tradeNo), "success", "a replay is acknowledged");
              const after = await quotaNow();
              assertEquals(after, before + 20 * 500000, "credited once");
              await openPage(page, `${base}/console/topup?trade_no=${encodeURIComponent(tradeNo)}`);
              await page.getByText(en("topup.result_paid", { trade_no: tradeNo })).waitFor();
              await page.locator(".stat-value", { hasText: formatQuota(after, 500000) }).first().waitFor();
              const row = page.locator('[data-section="topup-orders"] tbody tr', { hasText: tradeNo });
              await row.locator('[data-status="success"]').waitFor();
              assertEquals(await row.locator("td").nth(3).textContent(), "131.40");
            });

            await ctx.step("an administrator finds a pending order and marks it paid", async () => {
              const pay = await (await fetch(`${base}/api/user/pay`, {
                method: "POST",
                headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
                body: JSON.stringify({ amount: 10, payment_method: "wxpay" }),
              })).json();
              const pending = pay.data.out_trade_no as string;
              assert(pending && pending !== tradeNo);
              const start = await quotaNow();
              await openPage(page, `${base}/console/topup_orders`);
              const list = page.locator('[data-section="topup-orders"]');
              await list.locator("tbody tr").nth(1).waitFor();
              await list.getByRole("searchbox").fill(pending);
              await button(page, en("common.search"), list).click();
              await list.locator("tbody tr").filter({ hasText: tradeNo }).waitFor({ state: "detached" });
              const row = list.locator("tbody tr", { hasText: pending });
              await row.locator('[data-status="pending"]').waitFor();
              await button(page, en("topup.complete"), row).click();
              await confirmDialog(page);
              await page.getByText(en("topup.completed_done")).waitFor();
              await row.locator('[data-status="success"]').waitFor();
              assertEquals(await button(page, en("topup.complete"), row).count(), 0, "done once");
              assertEquals(await quotaNow(), start + 10 * 500000);
            });
            assertEquals(problems.errors.filter((e) => !e.includes(gateway.address)), []);
          });
        } finally {
          await browser.close();
        }
      });
    } finally {
      await gateway.close();
    }
  },
});

Deno.test({
  name: "wallet: a subscription plan is bought with the balance from the Wallet page",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      const call = async (method: string, path: string, body?: unknown) =>
        await (await fetch(`${base}${path}`, {
          method,
          headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        })).json();
      // Balance through a redemption code, as an operator would give it.
      const codes = await call("POST", "/api/redemption/", { name: "seed", quota: 3 * 500000, count: 1 });
      assertEquals((await call("POST", "/api/user/topup", { key: codes.data[0] })).success, true);
      const plan = await call("POST", "/api/subscription/admin/plans", {
        plan: {
          title: "Starter",
          price_amount: 2,
          total_amount: 4000000,
          duration_unit: "day",
          duration_value: 30,
        },
      });
      assertEquals(plan.success, true, JSON.stringify(plan));
      const before = (await call("GET", "/api/user/self")).data.quota as number;
      const browser = await launchBrowser();
      try {
        await withContext(browser, server.signedIn(session), async (page) => {
          const problems = watchPage(page);
          await openPage(page, `${base}/console/topup`);
          const section = page.locator('[data-section="subscriptions"]');
          const offer = section.locator(`[data-plan="${plan.data.id}"]`);
          await offer.getByText("Starter").waitFor();
          await button(page, en("subscription.buy_balance"), offer).click();
          await section.getByText(en("subscription.bought", { plan: "Starter" })).waitFor();
          await section.locator("[data-subscription]").getByText(formatQuota(4000000, 500000), {
            exact: false,
          })
            .waitFor();
          const after = (await call("GET", "/api/user/self")).data.quota as number;
          assertEquals(after, before - 2 * 500000, "the price left the balance once");
          await page.locator(".stat-value", { hasText: formatQuota(after, 500000) }).first().waitFor();
          assertEquals(problems.errors, []);
        });
      } finally {
        await browser.close();
      }
    });
  },
});
