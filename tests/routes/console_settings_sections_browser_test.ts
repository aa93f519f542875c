/**
 * The settings page has an index of its sections, and quota amounts are shown in currency beside their
 * field, following what is typed. Screenshots: tests/artifacts/settings-sections-*.png.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { en, openPage } from "../support/console_page.ts";
import { OPTION_SECTIONS } from "../../client/option_fields.ts";

Deno.test({
  name: "settings: a section index, and quota amounts in currency as typed",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      await server.setOption(session, "QuotaForNewUser", "250000");
      const browser = await launchBrowser();
      try {
        for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
          await withContext(browser, server.signedIn(session, { viewport }), async (page) => {
            const problems = watchPage(page);
            await openPage(page, `${base}/console/setting`);
            const links = await page.locator(".settings-index a").allTextContents();
            for (const section of OPTION_SECTIONS) assert(links.includes(en(section.title)), section.title);
            const target = await page.locator(".settings-index a").nth(2).getAttribute("href");
            assertEquals(
              await page.locator(`${target} h2`).textContent(),
              links[2],
              "links lead to their section",
            );

            const field = page.locator("label", { has: page.locator('input[name="QuotaForNewUser"]') });
            assertStringIncludes((await field.textContent()) ?? "", "$0.50", "250,000 quota is $0.50");
            await field.locator("input").fill("1000000");
            await page.waitForFunction(() =>
              document.querySelector('input[name="QuotaForNewUser"]')?.parentElement?.textContent?.includes(
                "$2.00",
              )
            );
            const checkin = page.locator("label", {
              has: page.locator('input[name="checkin_setting.min_quota"]'),
            });
            assertStringIncludes((await checkin.textContent()) ?? "", "$");
            assert(
              await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
              "no sideways scroll",
            );
            assertEquals(problems.errors, []);
            await screenshot(page, `settings-sections-${viewport.width}`);
          });
        }
      } finally {
        await browser.close();
      }
    });
  },
});
