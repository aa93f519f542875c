/**
 * The channels page beyond create/edit/delete, in headless Chromium against the real server process: a
 * multi-key channel made in the form and managed key by key (the relay then uses only the enabled keys),
 * type-specific fields, fetching the upstream's models, the balance column and the list by tag.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, confirmDialog, en, openPage } from "../support/console_page.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";

const KEYS = ["sk-pool-key-0000000001", "sk-pool-key-0000000002", "sk-pool-key-0000000003"];

Deno.test({
  name: "channels: multi-key management, type-specific fields, fetched models, balance and tags",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await using fake = await startFakeUpstream({ models: ["fake-chat", "fake-mini"] });
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      const browser = await launchBrowser();
      try {
        await withContext(browser, server.signedIn(session), async (page) => {
          const problems = watchPage(page);
          const row = (text: string) => page.locator("tbody tr", { hasText: text });
          const form = page.locator("form.form");
          const keysPanel = page.locator(".channel-keys");
          await openPage(page, `${base}/console/channel`);

          await ctx.step(
            "a multi-key channel is made in the form and its keys managed one by one",
            async () => {
              await button(page, en("channel.create")).click();
              await form.locator('input[name="name"]').fill("pool");
              await form.locator('textarea[name="key"]').fill(KEYS.join("\n"));
              await form.locator('input[name="base_url"]').fill(fake.url);
              await form.locator('textarea[name="models"]').fill("fake-chat");
              await form.locator('select[name="key_usage"]').selectOption("multi_to_single");
              await form.locator('select[name="multi_key_mode"]').selectOption("polling");
              await button(page, en("common.save"), form).click();
              const mode = en("channel.mode_polling");
              await row("pool").getByText(`OpenAI · ${en("channel.key_count", { count: 3, mode })}`)
                .waitFor();

              await button(page, en("channel.keys"), row("pool")).click();
              await keysPanel.locator("tbody tr").nth(2).waitFor();
              const text = (await keysPanel.textContent()) ?? "";
              for (const key of KEYS) assert(!text.includes(key), "previews only");
              await button(page, en("common.disable"), keysPanel.locator("tbody tr").nth(0)).click();
              await keysPanel.getByText(en("channel.key_counts", { enabled: 2, manual: 1, auto: 0 }))
                .waitFor();
              await keysPanel.locator("tbody tr").nth(0).locator(".badge", { hasText: en("status.disabled") })
                .waitFor();
              await button(page, en("common.delete"), keysPanel.locator("tbody tr").nth(2)).click();
              await confirmDialog(page);
              await keysPanel.getByText(en("channel.key_counts", { enabled: 1, manual: 1, auto: 0 }))
                .waitFor();
              await screenshot(page, "channel-keys");
            },
          );

          await ctx.step("the relay then uses only the enabled key", async () => {
            const api = async (method: string, path: string, body: unknown) => {
              const res = await fetch(`${base}${path}`, {
                method,
                headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
                body: JSON.stringify(body),
              });
              return (await res.json()).data;
            };
            // The fake's models have no price: self-use mode serves them free.
            await api("PUT", "/api/option/", { key: "SelfUseModeEnabled", value: "true" });
            const { key } = await api("POST", "/api/token/", { name: "relay", unlimited_quota: true });
            fake.reset();
            for (let i = 0; i < 3; i++) {
              const res = await fetch(`${base}/v1/chat/completions`, {
                method: "POST",
                headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
                body: JSON.stringify({ model: "fake-chat", messages: [{ role: "user", content: "hi" }] }),
              });
              assertEquals(res.status, 200, await res.text());
            }
            assertEquals([...new Set(fake.requests.map((r) => r.headers.get("authorization")))], [
              `Bearer ${KEYS[1]}`,
            ]);
          });

          await ctx.step("the key order is switched from the keys panel", async () => {
            const order = keysPanel.locator('select[name="multi_key_mode"]');
            await order.selectOption("random");
            const mode = en("channel.mode_random");
            await row("pool").getByText(`OpenAI · ${en("channel.key_count", { count: 2, mode })}`).waitFor();
            assertEquals(await order.inputValue(), "random", "the panel keeps the new order");
            await button(page, en("common.close"), keysPanel).click();
          });

          await ctx.step("editing fetches the upstream's models into the form", async () => {
            await button(page, en("common.edit"), row("pool")).click();
            assertEquals(await form.locator('select[name="key_mode"]').inputValue(), "append");
            await button(page, en("channel.fetch_models"), form).click();
            await page.getByText(en("channel.models_fetched", { count: 2 })).waitFor();
            assertEquals(await form.locator('textarea[name="models"]').inputValue(), "fake-chat,fake-mini");
            await form.locator('input[name="tag"]').fill("fleet");
            await button(page, en("common.save"), form).click();
            await form.waitFor({ state: "detached" });
            assertEquals(fake.requests.at(-1)?.headers.get("authorization"), `Bearer ${KEYS[1]}`);
          });

          await ctx.step("each type shows its own fields, and they are saved", async () => {
            await button(page, en("channel.create")).click();
            const type = form.locator('select[name="type"]');
            const label = (name: string) => form.locator("label", { has: page.locator(`[name="${name}"]`) });
            await type.selectOption("3");
            assertEquals(
              await form.locator('input[name="other"]').getAttribute("placeholder"),
              "2025-04-01-preview",
            );
            assert((await label("other").textContent())?.startsWith(en("channel.other_api_version")));
            assertEquals(await form.locator('input[name="base_url"]').getAttribute("required"), "");
            await type.selectOption("39");
            assert((await label("other").textContent())?.startsWith(en("channel.other_account_id")));
            await type.selectOption("8");
            assert((await label("base_url").textContent())?.startsWith(en("channel.base_url_full")));
            assertEquals(await form.locator('input[name="other"]').count(), 0);
            // Every type the console offers is relayed now (Vertex AI among the last to be added).
            assert(
              !(await type.locator("option", { hasText: "Vertex AI" }).textContent())?.includes(
                en("channel.not_relayed"),
              ),
            );
            await type.selectOption("24");
            await form.locator('input[name="name"]').fill("gemini");
            await form.locator('textarea[name="key"]').fill("g-key");
            await form.locator('input[name="other"]').fill("v1alpha");
            await form.locator('input[name="tag"]').fill("fleet");
            await button(page, en("common.save"), form).click();
            await row("gemini").waitFor();
            await button(page, en("common.edit"), row("gemini")).click();
            assertEquals(await form.locator('input[name="other"]').inputValue(), "v1alpha");
            await button(page, en("common.cancel"), form).click();
          });

          await ctx.step("the balance column shows the stored balance", async () => {
            await (await server.store()).exec("UPDATE channels SET balance = 12.5 WHERE name = 'gemini'");
            await page.reload();
            await row("gemini").getByText("$12.50").waitFor();
          });

          await ctx.step("by tag: a whole tag is disabled and enabled, and its channels listed", async () => {
            await page.getByLabel(en("channel.tag_mode")).check();
            const fleet = row("fleet");
            await fleet.getByText(en("channel.tag_enabled_count", { enabled: 2, total: 2 })).waitFor();
            assertEquals((await fleet.locator("td").nth(2).textContent())?.trim(), "2", "models served");
            await button(page, en("channel.tag_disable"), fleet).click();
            await fleet.getByText(en("channel.tag_enabled_count", { enabled: 0, total: 2 })).waitFor();
            await button(page, en("channel.tag_enable"), fleet).click();
            await fleet.getByText(en("channel.tag_enabled_count", { enabled: 2, total: 2 })).waitFor();
            await screenshot(page, "channel-tags");
            await button(page, en("channel.tag_show"), fleet).click();
            await row("pool").waitFor();
            await row("gemini").waitFor();
            assertEquals(await page.getByLabel(en("channel.tag_mode")).isChecked(), false);
            const chip = button(page, en("channel.tag_filter_clear", { tag: "fleet" }));
            await chip.click();
            await chip.waitFor({ state: "detached" });
            await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 2);
          });
          assertEquals(problems.errors, []);
        });
      } finally {
        await browser.close();
      }
    });
  },
});
