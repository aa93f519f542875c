/**
 * The console used the way an operator uses it, in headless Chromium against the real server process:
 * setup wizard, sign-in, a channel pointed at the fake upstream, an API key shown exactly once (copied,
 * edited, disabled, regenerated, deleted), redemption codes made in bulk and redeemed in the wallet, users
 * managed (and what a plain user then sees), a setting saved, log rows and dashboard charts from rows
 * seeded through the store, 中文 with the API's messages translated, and sign-out. Every page runs without
 * a console error; names like `<img src=x onerror=...>` show as text. Then the relay end to end: a streamed
 * answer in the playground (model markup shown as text), a request with the key through the official
 * `openai` SDK, both in the logs and on the dashboard chart at once, and the channel's Test button.
 * Screenshots: tests/artifacts/.
 */
import type { Page } from "playwright-core";
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
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { insertLog, LogType } from "../../store/logs.ts";
import { QuotaDataAggregator } from "../../store/quota_data.ts";
import { t } from "../../i18n/translate.ts";
import { formatQuota } from "../../client/format.ts";
import OpenAI from "openai";
import { button, confirmDialog, en, EVIL, openPage } from "../support/console_page.ts";

const open = openPage;

/** Creates an API key on the open token page (optionally filling more fields); returns the key shown once. */
async function createKey(page: Page, name: string, fields: Record<string, string> = {}): Promise<string> {
  await button(page, en("token.create")).click();
  const form = page.locator("form.form");
  await form.locator('input[name="name"]').fill(name);
  for (const [field, value] of Object.entries(fields)) {
    await form.locator(`input[name="${field}"]`).fill(value);
  }
  await button(page, en("common.create"), form).click();
  return (await page.locator(".key-once pre.secret").textContent()) ?? "";
}

Deno.test({
  name: "console flows on real data: setup, channels, keys, codes, users, settings, logs, dashboard, 中文",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await using fake = await startFakeUpstream();
    await withConsoleServer(async (server) => {
      const base = server.url;
      const browser = await launchBrowser();
      try {
        await withContext(browser, { permissions: ["clipboard-read", "clipboard-write"] }, async (page) => {
          const problems = watchPage(page);
          const alerts: string[] = [];
          page.on("dialog", (d) => {
            alerts.push(d.message());
            d.dismiss();
          });
          const row = (text: string) => page.locator("tbody tr", { hasText: text });
          /** Waits until every card on the page shows its figure. */
          const cardsLoaded = () =>
            page.waitForFunction(() =>
              [...document.querySelectorAll(".stat-value")].every((e) => e.textContent !== "—")
            );
          /** Waits until the table has `n` rows (lists reload after each action). */
          const rowCount = (n: number) =>
            page.waitForFunction((n) => document.querySelectorAll("tbody tr").length === n, n);
          /** Refusals the step provokes on purpose: Chromium logs each as an error, which is expected. */
          const refused: { status: number; path: string }[] = [];
          const refuse = (status: number, path: string) => refused.push({ status, path });
          const unexpected = () =>
            problems.errors.filter((e) =>
              !refused.some((r) => e.includes(`status of ${r.status} `) && e.endsWith(`${base}${r.path}`))
            );
          const noErrors = (where: string) => {
            assertEquals(unexpected(), [], where);
            assertEquals(alerts, [], `${where}: no script ran from user text`);
          };

          await ctx.step("the setup wizard creates the root account", async () => {
            await open(page, `${base}/`);
            assertEquals(new URL(page.url()).pathname, "/setup");
            await page.fill('input[name="username"]', "root");
            await page.fill('input[name="password"]', "root-password-1");
            await page.fill('input[name="confirmPassword"]', "root-password-1");
            await Promise.all([page.waitForURL(`${base}/login`), button(page, en("setup.submit")).click()]);
            noErrors("setup");
          });

          await ctx.step("sign in opens the dashboard", async () => {
            await waitForHydration(page);
            await page.fill('input[name="username"]', "root");
            await page.fill('input[name="password"]', "wrong-password");
            await button(page, en("nav.login")).click();
            await page.getByText(en("api.wrong_credentials")).waitFor();
            refuse(401, "/api/user/login");
            await page.fill('input[name="password"]', "root-password-1");
            await Promise.all([page.waitForURL(`${base}/console`), button(page, en("nav.login")).click()]);
            await waitForHydration(page);
            assertEquals(await page.textContent("h1"), en("dashboard.title"));
            assertStringIncludes((await page.textContent(".user-menu")) ?? "", "Root");
            noErrors("sign-in");
          });

          await ctx.step(
            "channels: create one on the fake upstream, edit, reprioritise, toggle, delete",
            async () => {
              await open(page, `${base}/console/channel`);
              await page.getByText(en("channel.empty")).waitFor();
              await button(page, en("channel.create")).click();
              const form = page.locator("form.form");
              await form.locator('input[name="name"]').fill(EVIL);
              await form.locator('textarea[name="key"]').fill("sk-upstream-test");
              await form.locator('input[name="base_url"]').fill(fake.url);
              await form.locator('textarea[name="models"]').fill("gpt-4o-mini,claude-sonnet-4-6");
              await button(page, en("common.save"), form).click();
              await row(EVIL).waitFor();
              assertEquals(
                await row(EVIL).locator("td").nth(1).textContent(),
                EVIL,
                "the name shows as text",
              );
              assertEquals(await page.locator("tbody img").count(), 0, "never as markup");
              assertStringIncludes((await row(EVIL).textContent()) ?? "", "OpenAI");

              await button(page, en("common.edit"), row(EVIL)).click();
              assertEquals(await form.locator('input[name="base_url"]').inputValue(), fake.url);
              assertEquals(
                await form.locator('textarea[name="key"]').inputValue(),
                "",
                "the key is never sent back",
              );
              await form.locator('input[name="name"]').fill("fake-upstream");
              await button(page, en("common.save"), form).click();
              await row("fake-upstream").waitFor();

              const priority = row("fake-upstream").locator(`input[aria-label="${en("channel.priority")}"]`);
              await priority.fill("5");
              await Promise.all([
                page.waitForResponse((r) =>
                  r.url().endsWith("/api/channel/") && r.request().method() === "PUT"
                ),
                priority.press("Tab"),
              ]);
              await button(page, en("common.disable"), row("fake-upstream")).click();
              await row("fake-upstream").locator(".badge", { hasText: en("status.disabled") }).waitFor();
              await button(page, en("common.enable"), row("fake-upstream")).click();
              await row("fake-upstream").locator(".badge", { hasText: en("status.enabled") }).waitFor();
              await page.reload();
              await waitForHydration(page);
              assertEquals(
                await row("fake-upstream").locator(`input[aria-label="${en("channel.priority")}"]`)
                  .inputValue(),
                "5",
              );

              await button(page, en("channel.create")).click();
              await form.locator('input[name="name"]').fill("to-delete");
              await form.locator('textarea[name="key"]').fill("sk-other");
              await button(page, en("common.save"), form).click();
              await row("to-delete").waitFor();
              await button(page, en("common.delete"), row("to-delete")).click();
              await confirmDialog(page);
              await row("to-delete").waitFor({ state: "detached" });
              await rowCount(1);
              noErrors("channels");
              await screenshot(page, "flow-channels");
            },
          );

          let key = "";
          await ctx.step(
            "API keys: the key is shown once and copied; edit, disable, regenerate, delete",
            async () => {
              await open(page, `${base}/console/token`);
              key = await createKey(page, EVIL, { amount: "1.5", rpm_limit: "60" });
              const form = page.locator("form.form");
              assert(/^sk-[A-Za-z0-9]{20,}$/.test(key), `a full key is shown: ${key}`);
              await button(page, en("common.copy"), page.locator(".key-once")).click();
              await button(page, en("common.copied")).waitFor();
              assertEquals(
                await page.evaluate(() => navigator.clipboard.readText()),
                key,
                "copied to the clipboard",
              );
              await screenshot(page, "flow-token-created");
              await button(page, en("common.close"), page.locator(".key-once")).click();
              assertEquals(await row(EVIL).locator("td").first().textContent(), EVIL);
              assert(!(await page.content()).includes(key), "the list shows the hint, never the key");
              await page.reload();
              await waitForHydration(page);
              assert(!(await page.content()).includes(key), "and the key is never sent again");
              assertStringIncludes((await row(EVIL).textContent()) ?? "", "$1.50");

              const usage = async (k: string) =>
                await fetch(`${base}/api/usage/token/`, { headers: { authorization: `Bearer ${k}` } });
              const first = await usage(key);
              assertEquals(first.status, 200);
              assertEquals((await first.json()).data.name, EVIL, "the shown key is the real one");

              await button(page, en("common.edit"), row(EVIL)).click();
              assertEquals(await form.locator('input[name="rpm_limit"]').inputValue(), "60");
              await form.locator('input[name="name"]').fill("ci-key");
              await button(page, en("common.save"), form).click();
              await row("ci-key").waitFor();
              assertEquals(await page.locator(".key-once").count(), 0, "an edit shows no key");
              await button(page, en("common.disable"), row("ci-key")).click();
              await row("ci-key").locator(".badge", { hasText: en("status.disabled") }).waitFor();
              await button(page, en("common.enable"), row("ci-key")).click();
              await row("ci-key").locator(".badge", { hasText: en("status.enabled") }).waitFor();

              await button(page, en("token.regenerate"), row("ci-key")).click();
              await confirmDialog(page);
              const fresh = (await page.locator(".key-once pre.secret").textContent()) ?? "";
              assert(fresh.startsWith("sk-") && fresh !== key, "a new key replaces the old one");
              assertEquals((await usage(key)).status, 401, "the old key stops working");
              assertEquals((await usage(fresh)).status, 200);
              await button(page, en("common.close"), page.locator(".key-once")).click();

              await button(page, en("common.delete"), row("ci-key")).click();
              await confirmDialog(page);
              await page.getByText(en("token.empty")).waitFor();
              noErrors("tokens");
            },
          );

          let codes: string[] = [];
          await ctx.step("redemption codes are made in bulk and redeemed once in the wallet", async () => {
            await open(page, `${base}/console/redemption`);
            await button(page, en("redemption.create")).click();
            const form = page.locator("form.form");
            await form.locator('input[name="name"]').fill("gift");
            await form.locator('input[name="amount"]').fill("2");
            await form.locator('input[name="count"]').fill("3");
            await button(page, en("common.create"), form).click();
            codes = ((await page.locator(".key-once pre.secret").textContent()) ?? "").split("\n");
            assertEquals(codes.length, 3);
            await rowCount(3);

            await open(page, `${base}/console/topup`);
            const balance = () => page.locator(".stat-value").first().textContent();
            await cardsLoaded();
            const before = await balance();
            await page.fill('input[name="key"]', codes[0]);
            await button(page, en("topup.redeem_submit")).click();
            await page.getByText(en("topup.done", { amount: "$2.00" })).waitFor();
            await page.waitForFunction(
              (b) => document.querySelector(".stat-value")?.textContent !== b,
              before,
            );
            await page.fill('input[name="key"]', codes[0]);
            await button(page, en("topup.redeem_submit")).click();
            await page.getByText(en("api.redeem_failed")).waitFor();
            refuse(400, "/api/user/topup");
            await screenshot(page, "flow-topup");

            await open(page, `${base}/console/redemption`);
            const used = page.locator(".badge.status-3", { hasText: en("redemption.used") });
            await used.waitFor();
            await button(page, en("redemption.delete_invalid")).click();
            await confirmDialog(page);
            await used.waitFor({ state: "detached" });
            await rowCount(2);
            noErrors("redemptions");
          });

          await ctx.step("users: create, edit the balance, disable, promote and demote", async () => {
            await open(page, `${base}/console/user`);
            await button(page, en("user.create")).click();
            const form = page.locator("form.form");
            await form.locator('input[name="username"]').fill("alice");
            await form.locator('input[name="password"]').fill("alice-password-1");
            await button(page, en("common.save"), form).click();
            await row("alice").waitFor();
            await button(page, en("common.edit"), row("alice")).click();
            await form.locator('input[name="amount"]').fill("3");
            await button(page, en("common.save"), form).click();
            await row("alice").getByText("$3.00").waitFor();
            await button(page, en("common.disable"), row("alice")).click();
            await row("alice").locator(".badge", { hasText: en("status.disabled") }).waitFor();
            await button(page, en("common.enable"), row("alice")).click();
            await button(page, en("user.promote"), row("alice")).click();
            await row("alice").getByText(en("user.role_admin"), { exact: true }).waitFor();
            await button(page, en("user.demote"), row("alice")).click();
            await row("alice").getByText(en("user.role_user"), { exact: true }).waitFor();
            noErrors("users");
            await screenshot(page, "flow-users");
          });

          await ctx.step("a plain user sees no admin pages", async () => {
            await withContext(browser, {}, async (alice) => {
              const aliceProblems = watchPage(alice);
              await open(alice, `${base}/login`);
              await alice.fill('input[name="username"]', "alice");
              await alice.fill('input[name="password"]', "alice-password-1");
              await Promise.all([
                alice.waitForURL(`${base}/console`),
                button(alice, en("nav.login")).click(),
              ]);
              await waitForHydration(alice);
              const sidebar = (await alice.textContent(".sidebar")) ?? "";
              assert(!sidebar.includes(en("nav.channels")) && !sidebar.includes(en("nav.settings")), sidebar);
              await alice.locator(".stat-value", { hasText: "$3.00" }).first().waitFor();
              await alice.goto(`${base}/console/channel`);
              assertEquals(new URL(alice.url()).pathname, "/console", "an admin page sends a user home");
              await waitForHydration(alice);
              assertEquals(aliceProblems.errors, []);
            });
          });

          await ctx.step("settings: saving the site name changes the header", async () => {
            await open(page, `${base}/console/setting`);
            const site = page.locator("form", { has: page.locator('input[name="SystemName"]') });
            await site.locator('input[name="SystemName"]').fill("Gateway Test");
            await button(page, en("common.save"), site).click();
            await page.getByText(en("setting.saved", { count: 1 })).waitFor();
            await page.reload();
            await waitForHydration(page);
            assertEquals(await page.textContent(".brand"), "Gateway Test");
            assertStringIncludes(await page.title(), "Gateway Test");
            noErrors("settings");
          });

          await ctx.step("logs list real rows (top-ups, management, seeded usage) as text", async () => {
            const db = await server.store();
            await insertLog(db, {
              userId: 1,
              type: LogType.consume,
              username: "root",
              tokenName: EVIL,
              modelName: "gpt-4o-mini",
              content: EVIL,
              quota: 1500,
              promptTokens: 12,
              completionTokens: 34,
              useTime: 2,
              isStream: true,
              createdAt: Math.floor(Date.now() / 1000) - 600,
            });
            await open(page, `${base}/console/log`);
            await row(en("log.type_topup")).first().waitFor();
            assert(await row(en("log.type_manage")).count() >= 1, "the balance change was logged");
            await row(EVIL).waitFor();
            assertEquals(await page.locator("tbody img").count(), 0);
            await row(EVIL).click();
            assertEquals(await page.locator("tr.detail .log-content").textContent(), EVIL);
            await page.selectOption('select[name="type"]', String(LogType.consume));
            await button(page, en("common.search")).click();
            await page.waitForFunction(() => document.querySelectorAll("tbody tr.clickable").length === 1);
            noErrors("logs");
            await screenshot(page, "flow-logs");
          });

          await ctx.step("the dashboard shows the cards and charts from /api/data/self", async () => {
            const db = await server.store();
            const now = Math.floor(Date.now() / 1000);
            for (let i = 0; i < 3; i++) {
              await insertLog(db, {
                userId: 1,
                type: LogType.consume,
                username: "root",
                modelName: "gpt-4o-mini",
                quota: 500,
                promptTokens: 10,
                completionTokens: 20,
                createdAt: now,
              });
            }
            const hourly = new QuotaDataAggregator();
            for (
              const [model, quota, hoursAgo] of [["gpt-4o-mini", 150000, 1], [
                "claude-sonnet-4-6",
                100000,
                2,
              ]] as const
            ) {
              hourly.add({
                userId: 1,
                username: "root",
                modelName: model,
                createdAt: now - hoursAgo * 3600,
                quota,
                tokens: 900,
              });
            }
            await hourly.flush(db);
            await open(page, `${base}/console`);
            await page.waitForSelector(".chart-canvas[data-drawn] canvas");
            assertEquals(await page.locator(".chart-canvas[data-drawn]").count(), 2);
            await cardsLoaded();
            const cards = await page.locator(".stat-value").allTextContents();
            assertEquals(cards.slice(3), ["3", "90"], "RPM and TPM from the last minute's rows");
            const charts = (await page.textContent(".charts")) ?? "";
            assertStringIncludes(charts, "gpt-4o-mini");
            assertStringIncludes(charts, "claude-sonnet-4-6");
            await button(page, en("dashboard.range_7d")).click();
            await page.waitForSelector(".chart-canvas[data-drawn] canvas");
            noErrors("dashboard");
            await screenshot(page, "flow-dashboard");
          });

          const MARKUP = "<script>alert(2)</script>";
          await ctx.step("the playground streams an answer as text from the channel's models", async () => {
            // The dashboard step reads this hour's bucket: start the two requests well inside one hour.
            const leftInHour = 3600 - (Date.now() / 1000) % 3600;
            if (leftInHour < 30) await new Promise((r) => setTimeout(r, leftInHour * 1000 + 500));
            await open(page, `${base}/console/playground`);
            const picker = page.getByLabel(en("playground.model"));
            assertEquals(
              await picker.locator("option").allTextContents(),
              ["claude-sonnet-4-6", "gpt-4o-mini"],
              "the picker lists the channel's models",
            );
            await picker.selectOption("gpt-4o-mini");
            // The fake upstream echoes the prompt's first words: the answer carries the markup back.
            await page.fill("textarea[aria-label]", `${EVIL} ${MARKUP} [fake:chunks=12] [fake:interval=150]`);
            await button(page, en("playground.send")).click();
            const answer = page.locator(".chat-assistant .chat-text");
            await page.waitForFunction(() =>
              (document.querySelector(".chat-assistant .chat-text")?.textContent ?? "").length > 0
            );
            const partial = (await answer.textContent()) ?? "";
            assert(await button(page, en("playground.stop")).isVisible(), "still streaming when text shows");
            await button(page, en("playground.send")).waitFor();
            const full = (await answer.textContent()) ?? "";
            assert(full.length > partial.length, `the answer grew while streaming: ${partial} → ${full}`);
            assert(full.startsWith(`${EVIL} ${MARKUP}`), `model markup shown literally: ${full}`);
            assertEquals(full.split(" ").length, 12, "every streamed word arrived");
            assertEquals(await page.locator(".chat-log img, .chat-log script").count(), 0, "never as markup");
            noErrors("playground");
            await screenshot(page, "flow-playground");
          });

          let sdkKey = "";
          let sdkUsage = { prompt_tokens: 0, completion_tokens: 0 };
          await ctx.step("a key used through the official openai SDK answers through the relay", async () => {
            await open(page, `${base}/console/token`);
            sdkKey = await createKey(page, "sdk-key", { amount: "1" });
            await button(page, en("common.close"), page.locator(".key-once")).click();
            const client = new OpenAI({ apiKey: sdkKey, baseURL: `${base}/v1` });
            const completion = await client.chat.completions.create({
              model: "gpt-4o-mini",
              messages: [{ role: "user", content: "hello from the sdk" }],
            });
            assert(completion.choices[0].message.content?.startsWith("hello from the sdk"));
            sdkUsage = completion.usage!;
            assert(sdkUsage.prompt_tokens > 0 && sdkUsage.completion_tokens > 0);
          });

          await ctx.step("the logs list both requests with model, tokens and cost", async () => {
            await open(page, `${base}/console/log`);
            await page.selectOption('select[name="type"]', String(LogType.consume));
            await page.fill('input[name="token_name"]', "sdk-key");
            await button(page, en("common.search")).click();
            await page.waitForFunction(() => document.querySelectorAll("tbody tr.clickable").length === 1);
            const res = await page.request.get(`${base}/api/log/self?type=${LogType.consume}`, {
              headers: { "New-Api-User": "1" },
            });
            type Row = {
              quota: number;
              token_name: string;
              prompt_tokens: number;
              completion_tokens: number;
            };
            const [sdkRow, playgroundRow] = (await res.json()).data.items as Row[];
            assertEquals(sdkRow.token_name, "sdk-key");
            assertEquals([sdkRow.prompt_tokens, sdkRow.completion_tokens], [
              sdkUsage.prompt_tokens,
              sdkUsage.completion_tokens,
            ]);
            assert(sdkRow.quota > 0 && playgroundRow.quota > 0, "both requests were charged");
            const cellsOf = (i: number) =>
              page.locator("tbody tr.clickable").nth(i).locator("td").allTextContents();
            const shows = (cells: string[], r: Row) =>
              cells.includes("gpt-4o-mini") &&
              cells.includes(`${r.prompt_tokens} / ${r.completion_tokens}`) &&
              cells.includes(formatQuota(r.quota, 500000));
            assert(shows(await cellsOf(0), sdkRow), (await cellsOf(0)).join(" | "));
            await page.fill('input[name="token_name"]', "");
            await page.selectOption('select[name="type"]', String(LogType.consume));
            await button(page, en("common.search")).click();
            await page.waitForFunction(() => document.querySelectorAll("tbody tr.clickable").length > 2);
            assert(shows(await cellsOf(0), sdkRow), "newest first: the SDK's request");
            assert(shows(await cellsOf(1), playgroundRow), "then the playground's (no key)");
            assertEquals((await cellsOf(1))[3], "—", "the playground uses no key");
            noErrors("relay logs");
            await screenshot(page, "flow-logs-relay");
          });

          await ctx.step("the dashboard chart counts both requests in the current hour at once", async () => {
            await open(page, `${base}/console`);
            await page.waitForSelector(".chart-canvas[data-drawn] canvas");
            const requests = page.locator("figure.chart").nth(1);
            // Hovering the right edge of the plot points uPlot's cursor at the last bucket: this hour.
            const over = requests.locator(".u-over");
            const box = (await over.boundingBox())!;
            await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
            const tip = requests.locator(".chart-tip");
            await tip.waitFor();
            assertStringIncludes((await tip.textContent()) ?? "", "gpt-4o-mini: 2");
            noErrors("relay dashboard");
          });

          await ctx.step(
            "the channel's Test button reaches the fake upstream and shows the time",
            async () => {
              fake.script({ headerDelayMs: 40, times: 1 });
              await open(page, `${base}/console/channel`);
              await button(page, en("channel.test"), row("fake-upstream")).click();
              const said = en("channel.test_ok", { name: "fake-upstream", seconds: "SECONDS" })
                .replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("SECONDS", "\\d+\\.\\d{2}");
              await page.locator(".notice-ok").getByText(new RegExp(`^${said}$`)).waitFor();
              const timing = row("fake-upstream").locator("td").nth(4);
              await page.waitForFunction(
                (el) => /^\d+ ms$/.test(el?.textContent ?? ""),
                await timing.elementHandle(),
              );
              assert(parseInt((await timing.textContent())!) >= 40, "the response time is the test's");
              noErrors("channel test");
            },
          );

          await ctx.step("in 中文 the page and the API's messages are translated", async () => {
            await open(page, `${base}/console/topup`);
            await Promise.all([
              page.waitForURL(`${base}/console/topup`),
              page.selectOption("#lang-select", "zh-CN"),
            ]);
            await page.waitForSelector('html[lang="zh-CN"][data-hydrated]', { state: "attached" });
            assertEquals(await page.textContent("h1"), t("zh-CN", "topup.title"));
            await page.fill('input[name="key"]', codes[0]);
            await button(page, t("zh-CN", "topup.redeem_submit")).click();
            await page.getByText(t("zh-CN", "api.redeem_failed")).waitFor();
            await screenshot(page, "flow-topup-zh-CN");
          });

          await ctx.step("sign out ends the session", async () => {
            await Promise.all([
              page.waitForURL(`${base}/login`),
              button(page, t("zh-CN", "nav.logout")).click(),
            ]);
            await page.goto(`${base}/console`);
            assertEquals(new URL(page.url()).pathname, "/login");
            assertEquals(new URL(page.url()).searchParams.get("redirect"), "/console");
            await waitForHydration(page);
            noErrors("sign-out");
          });
        });
      } finally {
        await browser.close();
      }
    });
  },
});
