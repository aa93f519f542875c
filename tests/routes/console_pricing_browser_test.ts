/**
 * The pricing page says an unpriced model is not priced (calls to it are refused) instead of "$0.0000 /
 * 1M", and writes every price one way (two to four decimals, no zeros past the cents).
 * Screenshot: tests/artifacts/pricing-1440.png.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { en, openPage } from "../support/console_page.ts";

Deno.test({
  name: "pricing: an unpriced model reads as not priced, prices share one format",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      const res = await fetch(`${base}/api/channel/`, {
        method: "POST",
        headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
        body: JSON.stringify({
          mode: "single",
          channel: {
            type: 1,
            name: "c",
            key: "sk-x",
            base_url: "http://127.0.0.1:9",
            models: "gpt-4o-mini,unpriced-model-x",
          },
        }),
      });
      assertEquals((await res.json()).success, true);
      const browser = await launchBrowser();
      try {
        await withContext(browser, { viewport: { width: 1440, height: 900 } }, async (page) => {
          const problems = watchPage(page);
          await openPage(page, `${base}/pricing`);
          const unpriced = page.locator("tbody tr", { hasText: "unpriced-model-x" });
          await unpriced.waitFor();
          const text = (await unpriced.textContent()) ?? "";
          assert(!text.includes("$"), `no price for an unpriced model: ${text}`);
          assertStringIncludes(text, en("pricing.unpriced"));
          const priced =
            (await page.locator("tbody tr", { hasText: "gpt-4o-mini" }).locator("td").allTextContents())
              .slice(2);
          for (const cell of priced) {
            assert(
              /^\$\d+\.\d{2,4} \/ 1M$/.test(cell) && !/\.\d{2}\d*0 /.test(cell),
              `one format: ${priced}`,
            );
          }
          assertEquals(problems.errors, []);
          await screenshot(page, "pricing-1440");
        });
      } finally {
        await browser.close();
      }
    });
  },
});
