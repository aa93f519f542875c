/**
 * Every console page in headless Chromium against the real server process, signed in as root: readable
 * with JavaScript off, hydrated with it on without a single console error, every island settled on its
 * data (no "unavailable", "sign in" or error notice). Also: the language switcher (the choice is saved to
 * the account), the theme toggle, the phone menu, the main pages on a phone (no sideways scrolling) and in
 * the dark theme, the 404 page and the way back after signing in.
 * Screenshots: tests/artifacts/.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
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
  name: "every console page renders server-side and hydrates without errors on real data",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      const browser = await launchBrowser();
      try {
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

        await server.setUp("root", "root-password-1");
        const session = await server.signIn("root", "root-password-1");
        const asRoot = server.signedIn(session);

        for (const { config } of pages.filter((p) => p.config.path !== "/setup")) {
          await ctx.step(`${config.path} reads without JavaScript and hydrates without errors`, async () => {
            const title = t("en", config.title);
            await withContext(browser, { ...asRoot, javaScriptEnabled: false }, async (page) => {
              const res = await page.goto(`${base}${config.path}`);
              assertEquals(res?.status(), 200);
              assertEquals((await page.textContent("h1"))?.trim(), config.path === "/" ? "New API" : title);
              assert(await page.isVisible("#lang-select"), "the language form works without scripts");
              assertEquals(await page.getAttribute("html", "data-hydrated"), null);
            });
            await withContext(browser, asRoot, async (page) => {
              const problems = watchPage(page);
              await page.goto(`${base}${config.path}`);
              await waitForHydration(page);
              // Islands that load data settle on data, an empty list or a notice of their own, never
              // "loading", and never on a refusal: every route they call exists and lets root in.
              await page.waitForFunction(() => !document.querySelector('.notice[role="status"]'), null, {
                timeout: 10000,
              });
              assertEquals(await page.locator(".notice[data-state]:not([data-state=empty])").count(), 0);
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

        await ctx.step("the language switcher turns the page into 中文 and saves the choice", async () => {
          await withContext(browser, asRoot, async (page) => {
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
          await withContext(browser, asRoot, async (page) => {
            await page.goto(`${base}/console`);
            assertEquals(
              await page.textContent("h1"),
              t("zh-CN", "dashboard.title"),
              "a browser without the cookie gets the account's saved language",
            );
            // Before hydration a change does nothing (the form needs its Apply button): wait for it.
            await waitForHydration(page);
            await page.selectOption("#lang-select", "en");
            await page.waitForSelector('html[lang="en"][data-hydrated]', { state: "attached" });
          });
        });

        await ctx.step("the theme toggle switches and the server renders the choice next time", async () => {
          await withContext(browser, { ...asRoot, colorScheme: "light" }, async (page) => {
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
            { ...asRoot, viewport: { width: 390, height: 844 }, isMobile: true },
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

        const MAIN_PAGES = [
          "/",
          "/pricing",
          "/console",
          "/console/token",
          "/console/channel",
          "/console/log",
          "/console/playground",
          "/console/topup",
          "/console/setting",
          "/chat2link",
        ];
        await ctx.step("the main pages fit a phone's width and render in the dark theme", async () => {
          const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
          await withContext(browser, { ...asRoot, ...phone }, async (page) => {
            const problems = watchPage(page);
            for (const path of MAIN_PAGES) {
              await page.goto(`${base}${path}`);
              await waitForHydration(page);
              await page.waitForFunction(() => !document.querySelector('.notice[role="status"]'));
              const overflow = await page.evaluate(() =>
                document.documentElement.scrollWidth - document.documentElement.clientWidth
              );
              assertEquals(overflow, 0, `${path} scrolls sideways on a phone`);
              await screenshot(page, `phone${shotName(path).slice("console".length)}`);
            }
            assertEquals(problems.errors, []);
          });
          await withContext(browser, { ...asRoot, colorScheme: "dark" }, async (page) => {
            const problems = watchPage(page);
            for (const path of MAIN_PAGES) {
              await page.goto(`${base}${path}`);
              await waitForHydration(page);
              await page.waitForFunction(() => !document.querySelector('.notice[role="status"]'));
              const [r, g, b] = (await page.evaluate(() => getComputedStyle(document.body).backgroundColor))
                .match(/\d+/g)!.map(Number);
              assert(r + g + b < 150, `${path} is dark (${r}, ${g}, ${b})`);
              await screenshot(page, `dark${shotName(path).slice("console".length)}`);
            }
            assertEquals(problems.errors, []);
          });
        });

        await ctx.step("an unknown path gets the 404 page", async () => {
          await withContext(browser, asRoot, async (page) => {
            const problems = watchPage(page);
            const res = await page.goto(`${base}/console/missing-page`);
            assertEquals(res?.status(), 404);
            assertEquals(await page.textContent("h1"), t("en", "not_found.title"));
            await waitForHydration(page);
            // The one expected error: Chromium reports the document's own 404.
            assertEquals(
              problems.errors.filter((e) => !e.endsWith(`404 (Not Found) ${base}/console/missing-page`)),
              [],
            );
            await screenshot(page, "console-404");
          });
        });

        await ctx.step("signed out, a console page sends to sign-in and back after it", async () => {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            await page.goto(`${base}/console/redemption`);
            assertEquals(new URL(page.url()).pathname, "/login");
            assertEquals(new URL(page.url()).searchParams.get("redirect"), "/console/redemption");
            await waitForHydration(page);
            await page.fill('input[name="username"]', "root");
            await page.fill('input[name="password"]', "root-password-1");
            await Promise.all([
              page.waitForURL(`${base}/console/redemption`),
              page.click('button[type="submit"]'),
            ]);
            assertEquals(await page.textContent("h1"), t("en", "redemption.title"));
            await waitForHydration(page);
            assertEquals(problems.errors, []);
          });
        });
      } finally {
        await browser.close();
      }
    });
  },
});
