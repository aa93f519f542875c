/**
 * The settings page's top-up sections in headless Chromium against the real server process: the price and
 * Epay gateway saved in the browser come back on reload and price a real order, whose form a local Epay
 * gateway accepts as signed with the merchant key typed there (a key never shown again, kept when the field
 * is left blank); the API's refusal of a blank Stripe webhook secret is named under that field; the
 * invitation rewards sit beside the new-user balance.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { en, openPage } from "../support/console_page.ts";
import { FakeEpay } from "../payments/fake_epay.ts";

const PID = "1001";
const KEY = "epay-merchant-key-from-the-form";

Deno.test({
  name: "top-up settings: price and Epay saved in the browser take effect; secrets stay write-only",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    const gateway = new FakeEpay(PID, KEY, () => Promise.resolve(""));
    try {
      await withConsoleServer(async (server) => {
        const base = server.url;
        await server.setUp("root", "root-password-1");
        const rootSession = await server.signIn("root", "root-password-1");
        const api = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: { cookie: `session=${rootSession}`, origin: base, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return await res.json();
        };
        assertEquals((await api("PUT", "/api/option/", { key: "ServerAddress", value: base })).success, true);
        /** Orders 10 units as root and hands the signed form to the gateway, as the wallet page does. */
        const order = async () => {
          const pay = await api("POST", "/api/user/pay", { amount: 10, payment_method: "alipay" });
          assertEquals(pay.message, "success", JSON.stringify(pay));
          const res = await fetch(pay.url, {
            method: "POST",
            body: new URLSearchParams(pay.data),
            redirect: "manual",
          });
          await res.body?.cancel();
          return { status: res.status, url: pay.url as string, money: pay.data.money as string };
        };

        const browser = await launchBrowser();
        try {
          await withContext(browser, server.signedIn(rootSession), async (page) => {
            const problems = watchPage(page);
            const refused: string[] = [];
            const noErrors = (where: string) =>
              assertEquals(problems.errors.filter((e) => !refused.some((r) => e.endsWith(r))), [], where);
            const formOf = (name: string) => page.locator("form", { has: page.locator(`[name="${name}"]`) });
            const saveSettings = async (values: Record<string, string>) => {
              await openPage(page, `${base}/console/setting`);
              const form = formOf(Object.keys(values)[0]);
              for (const [name, value] of Object.entries(values)) {
                await form.locator(`[name="${name}"]`).fill(value);
              }
              await form.getByRole("button", { name: en("common.save"), exact: true }).click();
              await page.locator('.notice[role="status"]').waitFor();
              return form;
            };
            const valueOf = (name: string) => page.locator(`[name="${name}"]`).inputValue();
            const fieldError = (form: ReturnType<Page["locator"]>, name: string) =>
              form.locator("label", { has: page.locator(`[name="${name}"]`) }).locator(".field-error");

            await ctx.step(
              "Epay: saved in the browser, shown on reload, used to price and sign",
              async () => {
                await openPage(page, `${base}/console/setting`);
                await page.getByRole("heading", { name: en("setting.section_payments") }).waitFor();
                assertEquals(await valueOf("Price"), "7.3", "New API's default price");
                await saveSettings({ Price: "5.5", PayAddress: gateway.address, EpayId: PID, EpayKey: KEY });
                await page.getByText(en("setting.saved", { count: 4 })).waitFor();
                await openPage(page, `${base}/console/setting`);
                assertEquals(await valueOf("Price"), "5.5");
                assertEquals(await valueOf("PayAddress"), gateway.address);
                assertEquals(await valueOf("EpayId"), PID);
                assertEquals(await valueOf("EpayKey"), "", "the stored key is never read back");
                assert(!(await page.content()).includes(KEY), "nor anywhere in the page");
                const first = await order();
                assertEquals(first.url, `${gateway.address}/submit.php`);
                assertEquals(first.money, "55.00", "10 units at the Price set in the browser");
                assertEquals(
                  first.status,
                  302,
                  "the gateway accepts the form as signed with the key typed in",
                );
                noErrors("epay");
              },
            );

            await ctx.step("a secret left blank is kept; a new one replaces it", async () => {
              await saveSettings({ Price: "6" });
              await page.getByText(en("setting.saved", { count: 1 })).waitFor();
              const kept = await order();
              assertEquals(
                [kept.money, kept.status],
                ["60.00", 302],
                "still signed with the key saved before",
              );
              await saveSettings({ EpayKey: "another-key" });
              await page.getByText(en("setting.saved", { count: 1 })).waitFor();
              assertEquals(
                (await order()).status,
                400,
                "signed with the new key, which this gateway does not know",
              );
              assertEquals(gateway.rejected.length, 1);
              noErrors("secret kept");
            });

            await ctx.step("Stripe: the API's refusal of a blank webhook secret shows under it", async () => {
              const form = await saveSettings({ StripeWebhookSecret: "   ", StripeUnitPrice: "9" });
              refused.push(`${base}/api/option/`);
              assertEquals(
                await fieldError(form, "StripeWebhookSecret").textContent(),
                en("api.option_secret_required", { key: "StripeWebhookSecret" }),
              );
              assertEquals(
                await form.locator('[name="StripeWebhookSecret"]').getAttribute("aria-invalid"),
                "true",
              );
              await page.getByText(en("setting.not_saved", { fields: "StripeWebhookSecret", count: 0 }))
                .waitFor();
              await openPage(page, `${base}/console/setting`);
              assertEquals(await valueOf("StripeUnitPrice"), "8", "nothing after the refused key was saved");
              noErrors("stripe");
            });

            await ctx.step("invitation rewards are edited beside the new-user balance", async () => {
              await saveSettings({ QuotaForInviter: "1500", QuotaForInvitee: "700" });
              await page.getByText(en("setting.saved", { count: 2 })).waitFor();
              const form = formOf("QuotaForNewUser");
              assertEquals(
                await form.locator('[name="QuotaForInviter"]').count(),
                1,
                "in the operation section",
              );
              await openPage(page, `${base}/console/setting`);
              assertEquals([await valueOf("QuotaForInviter"), await valueOf("QuotaForInvitee")], [
                "1500",
                "700",
              ]);
              noErrors("invites");
            });
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
