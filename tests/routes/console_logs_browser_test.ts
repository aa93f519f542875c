/**
 * The logs page reads well in headless Chromium: real durations and first-token time, a detail of labelled
 * facts (no raw JSON, local time), top-ups shown as credits, the admin's channel/group/IP/retry columns,
 * and on a phone (390×844) rows as cards that fit the screen. Screenshots: tests/artifacts/logs-*.png.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { insertLog, LogType } from "../../store/logs.ts";
import { en, openPage } from "../support/console_page.ts";

Deno.test({
  name: "logs: durations and first token, parsed detail, top-ups as credits, admin columns, cards on a phone",
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
      await insertLog(db, {
        userId: 1,
        type: LogType.consume,
        username: "root",
        tokenName: "ci-key",
        modelName: "gpt-4o-mini",
        quota: 1500,
        promptTokens: 12,
        completionTokens: 34,
        useTime: 3,
        isStream: true,
        channelId: 2,
        group: "vip",
        ip: "203.0.113.7",
        requestId: "req-abc123",
        other: {
          frt: 420,
          model_ratio: 0.075,
          group_ratio: 1,
          request_id: "req-abc123",
          admin_info: { use_channel: ["1", "2"] },
        },
        createdAt: now - 120,
      });
      await insertLog(db, {
        userId: 1,
        type: LogType.topup,
        username: "root",
        content: "Top-up of $3.00",
        quota: 1500000,
        createdAt: now - 60,
      });
      const browser = await launchBrowser();
      try {
        await ctx.step("desktop: columns, durations, credits and the detail", async () => {
          await withContext(
            browser,
            server.signedIn(session, { viewport: { width: 1440, height: 900 } }),
            async (page) => {
              const problems = watchPage(page);
              await openPage(page, `${base}/console/log`);
              const headers = await page.locator("thead th").allTextContents();
              for (const key of ["log.channel_col", "log.group", "log.ip", "log.retry"] as const) {
                assert(headers.includes(en(key)), `${key} in ${headers}`);
              }
              const cells = async (text: string) => {
                const row = page.locator("tbody tr.clickable", { hasText: text }).first();
                const values = await row.locator("td").allTextContents();
                return Object.fromEntries(headers.map((h, i) => [h, values[i]]));
              };
              const call = await cells("gpt-4o-mini");
              assertStringIncludes(call[en("log.duration")], "3 s");
              assertStringIncludes(call[en("log.duration")], "420 ms");
              assertEquals(call[en("log.retry")], "1 → 2");
              assertEquals(call[en("log.group")], "vip");
              assertEquals(call[en("log.ip")], "203.0.113.7");
              assertStringIncludes(call[en("log.channel_col")], "#2");

              const topup = await cells(en("log.type_topup"));
              assertEquals(topup[en("log.tokens")], "—", "a top-up has no tokens");
              assertEquals(topup[en("log.duration")], "—");
              assertEquals(topup[en("log.cost")], "+$3.00", "a credit, not a charge");

              await page.locator("tbody tr.clickable", { hasText: "gpt-4o-mini" }).click();
              const detail = (await page.locator("tr.detail").textContent()) ?? "";
              assert(!detail.includes("{") && !detail.includes('\\"'), `no raw JSON: ${detail}`);
              assertStringIncludes(detail, en("log.frt"));
              assertStringIncludes(detail, "420 ms");
              assertStringIncludes(detail, en("log.model_ratio"));
              assertStringIncludes(detail, "req-abc123");
              const local = new Date((now - 120) * 1000).toLocaleString("en", {
                dateStyle: "medium",
                timeStyle: "medium",
              });
              assertStringIncludes(detail, local, "the time in the browser's zone, not a Unix number");
              assert(!detail.includes(String(now - 120)));
              assertEquals(problems.errors, []);
              await screenshot(page, "logs-1440");
            },
          );
        });

        await ctx.step("phone: every row fits the screen", async () => {
          const options = server.signedIn(session, { viewport: { width: 390, height: 844 }, isMobile: true });
          await withContext(browser, options, async (page) => {
            const problems = watchPage(page);
            await openPage(page, `${base}/console/log`);
            await page.locator("tbody tr.clickable").first().waitFor();
            const widths = await page.evaluate(() => {
              const wrap = document.querySelector(".table-wrap")!;
              const table = wrap.querySelector("table")!;
              return {
                page: document.documentElement.scrollWidth,
                wrap: wrap.clientWidth,
                table: table.scrollWidth,
                right: Math.max(
                  ...[...wrap.querySelectorAll("td")].map((td) => td.getBoundingClientRect().right),
                ),
              };
            });
            assert(widths.page <= 390, `no sideways page scroll: ${JSON.stringify(widths)}`);
            assert(widths.table <= widths.wrap, `the table fits its box: ${JSON.stringify(widths)}`);
            assert(widths.right <= 390, `every cell on screen: ${JSON.stringify(widths)}`);
            await page.locator("tbody tr.clickable", { hasText: "gpt-4o-mini" }).click();
            await page.locator("tr.detail").waitFor();
            assert(
              await page.evaluate(() => document.documentElement.scrollWidth <= 390),
              "the detail fits too",
            );
            assertEquals(problems.errors, []);
            await screenshot(page, "logs-390");
          });
        });
      } finally {
        await browser.close();
      }
    });
  },
});
