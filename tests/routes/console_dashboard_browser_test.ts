/**
 * The dashboard's charts read well in headless Chromium: no y label cut at the left edge, money ticks
 * without trailing zeros, whole request-count ticks, a fixed legend (no "Time: --" before hover, no growth
 * on hover) and a tooltip, axis and tooltip texts in the user's language, RPM/TPM said to be the last
 * minute. Screenshots: tests/artifacts/dashboard-*.png.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { QuotaDataAggregator } from "../../store/quota_data.ts";
import { t } from "../../i18n/translate.ts";
import { openPage } from "../support/console_page.ts";

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif';

/** Each chart's y labels, the axis width uPlot gave them, and each label's drawn width. */
function yAxes(page: Page) {
  return page.$$eval(".chart-canvas[data-drawn]", (els, font) =>
    els.map((el) => {
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.font = font;
      const labels = ((el as HTMLElement).dataset.yTicks ?? "").split("|").filter(Boolean);
      return {
        labels,
        size: Number((el as HTMLElement).dataset.ySize ?? 0),
        widest: Math.max(0, ...labels.map((l) => ctx.measureText(l).width)),
        x: ((el as HTMLElement).dataset.xTicks ?? "").split("|").filter(Boolean),
      };
    }), AXIS_FONT);
}

Deno.test({
  name: "dashboard charts: whole labels, tidy money, whole counts, a steady legend and a localized tooltip",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      const db = await server.store();
      const now = Math.floor(Date.now() / 1000);
      const hourly = new QuotaDataAggregator();
      // Small amounts ($0.004 an hour) and a few requests: what once showed as ").004000" and "0.5".
      for (
        const [model, hoursAgo, calls] of [["gpt-4o-mini", 1, 2], ["gpt-4o-mini", 3, 3], [
          "o3",
          2,
          1,
        ]] as const
      ) {
        for (let i = 0; i < calls; i++) {
          hourly.add({
            userId: 1,
            username: "root",
            modelName: model,
            createdAt: now - hoursAgo * 3600,
            quota: 1000,
            tokens: 50,
          });
        }
      }
      hourly.add({
        userId: 2,
        username: "alice",
        modelName: "alice-model",
        createdAt: now - 3600,
        quota: 5000,
        tokens: 9,
      });
      await hourly.flush(db);
      const browser = await launchBrowser();
      try {
        for (const lang of ["en", "zh-CN"] as const) {
          for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
            await ctx.step(`${lang} at ${viewport.width}px`, async () => {
              // The browser's Accept-Language picks the page's language.
              const options = server.signedIn(session, { viewport, locale: lang });
              await withContext(browser, options, async (page) => {
                const problems = watchPage(page);
                await openPage(page, `${base}/console`);
                await page.waitForFunction(() =>
                  document.querySelectorAll(".chart-canvas[data-drawn]").length === 2
                );
                const [money, counts] = await yAxes(page);
                for (const axis of [money, counts]) {
                  assert(axis.labels.length >= 2, JSON.stringify(axis));
                  assert(axis.widest + 15 <= axis.size, `labels fit their axis: ${JSON.stringify(axis)}`);
                }
                for (const label of money.labels) {
                  assert(/^\$\d+(\.\d+)?$/.test(label), label);
                  assert(!/\.\d*[1-9]0+$|\.\d{3,}0$/.test(label), `no trailing zeros: ${money.labels}`);
                }
                assert(
                  money.labels.includes("$0.004") || money.labels.some((l) => /^\$0\.00\d$/.test(l)),
                  String(money.labels),
                );
                for (const label of counts.labels) {
                  assert(/^\d+$/.test(label), `whole counts: ${counts.labels}`);
                }

                // X axis in the page's language: "06:00 AM" in English, "06:00" (24-hour) in Chinese.
                assert(money.x.length > 0);
                const hourLabel = lang === "en" ? /^\d{2}:\d{2}\s(AM|PM)$/ : /^\d{2}:\d{2}$/;
                for (const label of money.x) assert(hourLabel.test(label), `${lang}: ${money.x}`);

                const figure = page.locator("figure.chart").first();
                const before = await figure.boundingBox();
                const text = (await figure.textContent()) ?? "";
                assert(!text.includes("--"), `no placeholder legend before hover: ${text}`);
                assertStringIncludes(text, "gpt-4o-mini");
                assert(!(await page.isVisible(".chart-tip")), "no tooltip before hover");

                // The range controls and rankings above can push the chart below a phone's fold.
                await page.locator(".chart-canvas .u-over").first().scrollIntoViewIfNeeded();
                const plot = await page.locator(".chart-canvas .u-over").first().boundingBox();
                await page.mouse.move(plot!.x + plot!.width - 30, plot!.y + plot!.height / 2);
                await page.locator(".chart-tip").first().waitFor();
                const tip = (await page.locator(".chart-tip").first().textContent()) ?? "";
                assertStringIncludes(tip, `${t(lang, "dashboard.time")}:`);
                assertStringIncludes(tip, "gpt-4o-mini");
                assert(lang === "en" ? /[A-Z][a-z]{2} \d+, \d{4}/.test(tip) : tip.includes("年"), tip);
                assertEquals((await figure.boundingBox())?.height, before?.height, "the legend did not grow");

                const cards = await page.locator(".card.stat").allTextContents();
                assertStringIncludes(cards[3], t(lang, "dashboard.last_minute"));
                assertStringIncludes(cards[4], t(lang, "dashboard.last_minute"));
                assertEquals(problems.errors, []);
                await screenshot(page, `dashboard-${lang}-${viewport.width}`);
              });
            });
          }
        }
        await ctx.step("an admin charts another user's usage by username", async () => {
          await withContext(browser, server.signedIn(session), async (page) => {
            const problems = watchPage(page);
            await openPage(page, `${base}/console`);
            await page.waitForFunction(() =>
              document.querySelectorAll(".chart-canvas[data-drawn]").length === 2
            );
            assert(!((await page.textContent(".charts")) ?? "").includes("alice-model"), "own usage first");
            await page.fill('input[name="username"]', "alice");
            await page.getByRole("button", { name: t("en", "common.search"), exact: true }).click();
            await page.locator(".chart-legend", { hasText: "alice-model" }).first().waitFor();
            assert(
              !((await page.textContent(".charts")) ?? "").includes("gpt-4o-mini"),
              "only alice's models",
            );
            assertEquals(problems.errors, []);
            await screenshot(page, "dashboard-admin-user");
          });
        });
      } finally {
        await browser.close();
      }
    });
  },
});
