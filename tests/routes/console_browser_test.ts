/**
 * The console in headless Chromium against the real server process: every page readable with JavaScript
 * off, hydrated without errors with it on; the language switcher turns the page into 中文, the theme
 * toggle persists, the phone menu opens, unknown paths get the 404 page. Screenshots: tests/artifacts/.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { withTempDir } from "../support/temp_dir.ts";
import {
  launchBrowser,
  screenshot,
  skipBrowserTests,
  waitForHydration,
  watchPage,
  withContext,
} from "../support/browser.ts";
import { pages } from "../../routes/console.ts";
import { t } from "../../i18n/translate.ts";

const shotName = (path: string) => `console${path === "/" ? "-home" : path.replaceAll("/", "-")}`;

Deno.test({
  name: "every console page renders server-side, hydrates without errors, and switches language and theme",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await withTempDir(async (dir) => {
      const server = await startServer({ DATA_DIR: dir });
      const browser = await launchBrowser();
      try {
        const base = server.url;

        await ctx.step("before setup, / leads to the setup wizard, which hydrates cleanly", async () => {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            await page.goto(`${base}/`);
            assertEquals(new URL(page.url()).pathname, "/setup");
            await waitForHydration(page);
            assertEquals(await page.textContent("h1"), t("en", "setup.title"));
            assert(await page.isVisible('input[name="confirmPassword"]'));
            assertEquals(problems.errors, []);
            await screenshot(page, "console-setup");
          });
        });

        const db = new DatabaseSync(`${dir}/one-api.db`);
        db.exec("INSERT INTO setups (version, initialized_at) VALUES ('browser-test', 1)");
        db.close();

        for (const { config } of pages.filter((p) => p.config.path !== "/setup")) {
          await ctx.step(`${config.path} reads without JavaScript and hydrates without errors`, async () => {
            const title = t("en", config.title);
            await withContext(browser, { javaScriptEnabled: false }, async (page) => {
              const res = await page.goto(`${base}${config.path}`);
              assertEquals(res?.status(), 200);
              assertEquals((await page.textContent("h1"))?.trim(), config.path === "/" ? "New API" : title);
              assert(await page.isVisible("#lang-select"), "the language form works without scripts");
              assertEquals(await page.getAttribute("html", "data-hydrated"), null);
            });
            await withContext(browser, {}, async (page) => {
              const problems = watchPage(page);
              await page.goto(`${base}${config.path}`);
              await waitForHydration(page);
              // Islands that load data settle on data, an empty list or a clear notice, never "loading".
              await page.waitForFunction(() => !document.querySelector('.notice[role="status"]'), null, {
                timeout: 10000,
              });
              assertEquals(problems.errors, [], config.path);
              assertEquals(
                await page.locator("napi-island").count(),
                await page.locator("napi-island[data-hydrated]").count(),
                "every island hydrated",
              );
              await screenshot(page, shotName(config.path));
            });
          });
        }

        await ctx.step("pages whose API routes are missing say so instead of failing", async () => {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            await page.goto(`${base}/console/token`);
            await waitForHydration(page);
            const state = await page.waitForSelector(".manager .notice[data-state]", { timeout: 10000 });
            assert(
              ["unavailable", "signed-out", "empty"].includes((await state.getAttribute("data-state"))!),
            );
            assertEquals(problems.errors, []);
          });
        });

        // The management routes are being built separately: these steps answer them in the browser with
        // New API's documented shapes (new-api.md §6, controller/usedata.go, controller/token.go) to pin the
        // islands' side of that contract, including that data is shown as text.
        await ctx.step(
          "dashboard: cards and uPlot charts from New API's data shapes, under the CSP",
          async () => {
            await withContext(browser, {}, async (page) => {
              const problems = watchPage(page);
              const hour = Math.floor(Date.now() / 3600000) * 3600 - 3600;
              const envelope = (data: unknown) => ({ json: { success: true, message: "", data } });
              await page.route(
                "**/api/user/self",
                (r) => r.fulfill(envelope({ quota: 1000000, used_quota: 250000, request_count: 42 })),
              );
              await page.route(
                "**/api/log/self/stat?*",
                (r) => r.fulfill(envelope({ quota: 250000, rpm: 3, tpm: 1200 })),
              );
              await page.route("**/api/data/self?*", (r) =>
                r.fulfill(envelope([
                  { model_name: "gpt-4o-mini", created_at: hour, token_used: 900, count: 30, quota: 150000 },
                  {
                    model_name: "claude-sonnet-4",
                    created_at: hour,
                    token_used: 300,
                    count: 12,
                    quota: 100000,
                  },
                ])));
              await page.goto(`${base}/console`);
              await waitForHydration(page);
              await page.waitForSelector(".chart-canvas[data-drawn] canvas", { timeout: 10000 });
              assertEquals(await page.locator(".chart-canvas[data-drawn]").count(), 2);
              const cards = await page.locator(".stat-value").allTextContents();
              assertEquals(cards, ["$2.00", "$0.50", "42", "3", "1,200"]);
              assertStringIncludes((await page.textContent(".charts")) ?? "", "claude-sonnet-4");
              assertEquals(problems.errors, []);
              await screenshot(page, "console-dashboard-chart");
            });
          },
        );

        await ctx.step(
          "tokens: names render as text, a created key is shown once with a copy button",
          async () => {
            await withContext(browser, {}, async (page) => {
              const problems = watchPage(page);
              const evil = '<img src=x onerror="document.title=1">';
              await page.route("**/api/token/?*", (r) =>
                r.fulfill({
                  json: {
                    success: true,
                    message: "",
                    data: {
                      page: 1,
                      page_size: 10,
                      total: 1,
                      items: [{
                        id: 7,
                        name: evil,
                        key: "sk-abcd**********wxyz",
                        status: 1,
                        remain_quota: 500000,
                        used_quota: 0,
                        unlimited_quota: false,
                        created_time: 1700000000,
                        expired_time: -1,
                      }],
                    },
                  },
                }));
              let created: Record<string, unknown> | undefined;
              await page.route("**/api/token/", (r) => {
                created = r.request().postDataJSON();
                return r.fulfill({
                  json: { success: true, message: "", data: { key: "sk-created-once-0123456789" } },
                });
              });
              await page.goto(`${base}/console/token`);
              await waitForHydration(page);
              await page.waitForSelector("table");
              assertEquals(await page.locator("tbody td").first().textContent(), evil, "shown as text");
              assertEquals(await page.locator("tbody img").count(), 0, "never as markup");
              await page.click('button:has-text("New key")');
              await page.fill('input[name="name"]', "ci");
              await page.fill('input[name="amount"]', "1.5");
              await page.click('form.card button[type="submit"]');
              assertEquals(await page.textContent(".key-once code"), "sk-created-once-0123456789");
              assertEquals(created?.remain_quota, 750000, "dollars become quota units");
              assertEquals(created?.expired_time, -1, "no date means never expires");
              assert(await page.isVisible(".key-once >> text=Copy"));
              assertEquals(problems.errors, []);
              await screenshot(page, "console-token-created");
            });
          },
        );

        await ctx.step("the language switcher turns the page into 中文 and remembers it", async () => {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            await page.goto(`${base}/console/token`);
            await waitForHydration(page);
            assertEquals(await page.textContent("h1"), t("en", "token.title"));
            await Promise.all([
              page.waitForURL(`${base}/console/token`),
              page.selectOption("#lang-select", "zh-CN"),
            ]);
            await page.waitForSelector('html[lang="zh-CN"][data-hydrated]', { state: "attached" });
            assertEquals(await page.textContent("h1"), "令牌管理");
            assertStringIncludes((await page.textContent(".sidebar")) ?? "", "数据看板");
            await page.goto(`${base}/console/log`);
            assertEquals(await page.textContent("h1"), "使用日志", "the cookie keeps the choice");
            await waitForHydration(page);
            assertEquals(problems.errors, []);
            await screenshot(page, "console-log-zh-CN");
          });
        });

        await ctx.step("the theme toggle switches and the server renders the choice next time", async () => {
          await withContext(browser, { colorScheme: "light" }, async (page) => {
            await page.goto(`${base}/console`);
            await waitForHydration(page);
            const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            const light = await background();
            await page.click(".theme-toggle");
            assertEquals(await page.getAttribute("html", "data-theme"), "dark");
            assert((await background()) !== light, "colours changed");
            await page.reload();
            assertEquals(await page.getAttribute("html", "data-theme"), "dark", "rendered from the cookie");
            await waitForHydration(page);
            await screenshot(page, "console-dashboard-dark");
          });
        });

        await ctx.step("on a phone the sidebar folds behind the menu button", async () => {
          await withContext(
            browser,
            { viewport: { width: 390, height: 844 }, isMobile: true },
            async (page) => {
              await page.goto(`${base}/console/channel`);
              await waitForHydration(page);
              assert(!(await page.isVisible(".sidebar")), "collapsed at first");
              await page.click(".nav-burger");
              assert(await page.isVisible(".sidebar"), "opened by the menu button");
              await screenshot(page, "console-phone-menu");
            },
          );
        });

        await ctx.step("an unknown path gets the 404 page", async () => {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            const res = await page.goto(`${base}/console/missing-page`);
            assertEquals(res?.status(), 404);
            assertEquals(await page.textContent("h1"), t("en", "not_found.title"));
            await waitForHydration(page);
            assertEquals(problems.errors.filter((e) => !e.includes("404 (Not Found)")), []);
            await screenshot(page, "console-404");
          });
        });
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  },
});
