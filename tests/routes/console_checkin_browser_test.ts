/**
 * The console for the features that landed without a page, in headless Chromium against the real server
 * process: the settings page edits log retention and the daily check-in, whose options the API then
 * reports; the wallet checks in once a day and lists the month's check-ins.
 */
import { assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, en, openPage } from "../support/console_page.ts";
import { formatQuota } from "../../client/format.ts";

const browserTest = (name: string, fn: (ctx: Deno.TestContext) => Promise<void>) =>
  Deno.test({ name, ignore: skipBrowserTests, sanitizeResources: false, sanitizeOps: false, fn });

browserTest("settings: log retention and check-in options are edited in the browser", async () => {
  await withConsoleServer(async (server) => {
    const base = server.url;
    await server.setUp("root", "root-password-1");
    const session = await server.signIn("root", "root-password-1");
    const options = async () => {
      const res = await fetch(`${base}/api/option/`, { headers: { cookie: `session=${session}` } });
      const body = await res.json();
      return new Map((body.data as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    };
    const browser = await launchBrowser();
    try {
      await withContext(browser, server.signedIn(session), async (page) => {
        const problems = watchPage(page);
        await openPage(page, `${base}/console/setting`);
        await page.getByRole("heading", { name: en("setting.section_checkin") }).waitFor();
        const valueOf = (name: string) => page.locator(`[name="${name}"]`).inputValue();
        assertEquals(await valueOf("LogRetentionDays"), "0", "keep forever by default");
        assertEquals(await valueOf("checkin_setting.min_quota"), "1000");
        const operation = page.locator("form", { has: page.locator('[name="QuotaForNewUser"]') });
        assertEquals(
          await operation.locator('[name="LogRetentionDays"]').count(),
          1,
          "beside the log options",
        );
        await operation.locator('[name="LogRetentionDays"]').fill("30");
        await operation.getByRole("button", { name: en("common.save"), exact: true }).click();
        await page.getByText(en("setting.saved", { count: 1 })).waitFor();

        const checkin = page.locator("form", { has: page.locator('[name="checkin_setting.enabled"]') });
        await checkin.locator('[name="checkin_setting.enabled"]').setChecked(true);
        await checkin.locator('[name="checkin_setting.min_quota"]').fill("200");
        await checkin.locator('[name="checkin_setting.max_quota"]').fill("300");
        await checkin.getByRole("button", { name: en("common.save"), exact: true }).click();
        await page.getByText(en("setting.saved", { count: 3 })).waitFor();

        const stored = await options();
        assertEquals(
          [
            "LogRetentionDays",
            "checkin_setting.enabled",
            "checkin_setting.min_quota",
            "checkin_setting.max_quota",
          ]
            .map((k) => stored.get(k)),
          ["30", "true", "200", "300"],
        );
        const status = await (await fetch(`${base}/api/status`)).json();
        assertEquals(status.data.checkin_enabled, true);
        await openPage(page, `${base}/console/setting`);
        assertEquals(await valueOf("LogRetentionDays"), "30");
        assertEquals(await page.locator('[name="checkin_setting.enabled"]').isChecked(), true);
        assertEquals(await valueOf("checkin_setting.max_quota"), "300");
        assertEquals(problems.errors, []);
      });
    } finally {
      await browser.close();
    }
  });
});

browserTest("wallet: the check-in button awards the quota once a day and lists the month", async () => {
  await withConsoleServer(async (server) => {
    const base = server.url;
    await server.setUp("root", "root-password-1");
    const session = await server.signIn("root", "root-password-1");
    const setOption = (key: string, value: string) => server.setOption(session, key, value);
    const browser = await launchBrowser();
    try {
      await withContext(browser, server.signedIn(session), async (page) => {
        const problems = watchPage(page);
        const checkIn = button(page, en("topup.checkin_submit"));
        await openPage(page, `${base}/console/topup`);
        await page.getByRole("heading", { name: en("topup.redeem") }).waitFor();
        await page.waitForLoadState("networkidle");
        assertEquals(await checkIn.count(), 0, "no button while check-in is off");

        await setOption("checkin_setting.min_quota", "250000");
        await setOption("checkin_setting.max_quota", "250000");
        await setOption("checkin_setting.enabled", "true");
        await openPage(page, `${base}/console/topup`);
        await page.getByText(en("topup.checkin_month", { count: 0 })).waitFor();
        const reward = formatQuota(250000, 500000);
        const before =
          (await (await fetch(`${base}/api/user/self`, { headers: { cookie: `session=${session}` } }))
            .json()).data.quota as number;
        await checkIn.click();
        await page.getByText(en("topup.checkin_done", { amount: reward })).waitFor();
        const section = page.locator('[data-section="checkin"]');
        await section.getByText(en("topup.checkin_month", { count: 1 })).waitFor();
        const row = section.locator("tbody tr");
        assertEquals(await row.count(), 1);
        assertEquals(await row.locator("td").nth(1).textContent(), reward);
        assertEquals((await row.locator("td").first().textContent())?.length, "YYYY-MM-DD".length);
        const self = await fetch(`${base}/api/user/self`, { headers: { cookie: `session=${session}` } });
        const quota = (await self.json()).data.quota as number;
        assertEquals(quota, before + 250000);
        await page.locator(".stat-value", { hasText: formatQuota(quota, 500000) }).first().waitFor();

        await openPage(page, `${base}/console/topup`);
        await page.getByText(en("topup.checkin_today")).waitFor();
        await checkIn.click();
        await page.getByText(en("api.checkin_already")).waitFor();
        assertEquals(await section.locator("tbody tr").count(), 1, "still one check-in");
        assertEquals(problems.errors.filter((e) => !e.endsWith("/api/user/checkin")), []);
      });
    } finally {
      await browser.close();
    }
  });
});
