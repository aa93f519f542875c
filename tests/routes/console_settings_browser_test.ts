/**
 * The settings page in headless Chromium against the real server process: one option of every group is
 * edited in the browser and then seen to take effect (announcement and footer on the pages, a new user's
 * balance, a model's price, the low-balance mail through the SMTP server set there, the per-user request
 * limit); JSON editors name what is wrong under the field. Then `/chat2link`: the chat app saved in the
 * settings gets a new key in its link's fragment, which no server (ours or the app's) ever receives.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { startFakeSmtp } from "../support/fake_smtp.ts";
import { en, EVIL, openPage } from "../support/console_page.ts";

/** A stand-in chat web app: records every URL it is asked for. */
function startChatApp() {
  const seen: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    seen.push(url.pathname + url.search);
    return new Response("<!doctype html><title>chat app</title><p>chat app</p>", {
      headers: { "content-type": "text/html" },
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, seen, close: () => server.shutdown() };
}

Deno.test({
  name: "settings of every group take effect, and /chat2link hands a new key to the configured chat app",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await using fake = await startFakeUpstream();
    const smtp = await startFakeSmtp();
    const chatApp = startChatApp();
    try {
      await withConsoleServer(async (server) => {
        const base = server.url;
        await server.setUp("root", "root-password-1");
        const rootSession = await server.signIn("root", "root-password-1");
        /** Calls the API with a session, as the console does. */
        const api = async (session: string, method: string, path: string, body?: unknown) => {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: res.status, body: await res.json() };
        };
        const created = await api(rootSession, "POST", "/api/channel/", {
          mode: "single",
          channel: { type: 1, name: "fake", key: "sk-upstream", base_url: fake.url, models: "gpt-4o-mini" },
        });
        assertEquals(created.body.success, true);

        let carol = "";
        const browser = await launchBrowser();
        try {
          await withContext(browser, server.signedIn(rootSession), async (page) => {
            const problems = watchPage(page);
            const alerts: string[] = [];
            page.on("dialog", (d) => {
              alerts.push(d.message());
              d.dismiss();
            });
            /** Refusals the step provokes on purpose (Chromium logs each failed request as an error). */
            const refused: string[] = [];
            const noErrors = (where: string) => {
              assertEquals(problems.errors.filter((e) => !refused.some((r) => e.endsWith(r))), [], where);
              assertEquals(alerts, [], `${where}: no script ran from stored text`);
            };
            const open = (path: string) => openPage(page, `${base}${path}`);
            /** The settings form holding `field`, with `values` typed in, saved; resolves on the outcome. */
            const saveSettings = async (values: Record<string, string | boolean>) => {
              await open("/console/setting");
              const first = Object.keys(values)[0];
              const form = page.locator("form", { has: page.locator(`[name="${first}"]`) });
              for (const [name, value] of Object.entries(values)) {
                const field = form.locator(`[name="${name}"]`);
                if (typeof value === "boolean") await field.setChecked(value);
                else await field.fill(value);
              }
              await form.getByRole("button", { name: en("common.save"), exact: true }).click();
              await page.locator('.notice[role="status"]').waitFor();
              return form;
            };
            const fieldError = (form: ReturnType<Page["locator"]>, name: string) =>
              form.locator("label", { has: page.locator(`[name="${name}"]`) }).locator(".field-error");

            await ctx.step("system: the announcement and footer show, as text, on the pages", async () => {
              await saveSettings({ Notice: `Maintenance at 02:00 ${EVIL}`, Footer: `© Example ${EVIL}` });
              await page.getByText(en("setting.saved", { count: 2 })).waitFor();
              await open("/console");
              assertEquals(await page.textContent(".site-notice"), `Maintenance at 02:00 ${EVIL}`);
              assertEquals(await page.textContent("footer"), `© Example ${EVIL}`);
              assertEquals(await page.locator("img").count(), 0, "never as markup");
              await open("/pricing");
              assertEquals(await page.textContent("footer"), `© Example ${EVIL}`, "on public pages too");
              noErrors("system");
            });

            await ctx.step("operation: a user who signs up gets the balance set here", async () => {
              await saveSettings({ QuotaForNewUser: "2000000" });
              const signUp = await fetch(`${base}/api/user/register`, {
                method: "POST",
                headers: { "content-type": "application/json", origin: base },
                body: JSON.stringify({
                  username: "carol",
                  password: "carol-password-1",
                  email: "carol@example.test",
                }),
              });
              assertEquals((await signUp.json()).success, true);
              carol = await server.signIn("carol", "carol-password-1");
              assertEquals((await api(carol, "GET", "/api/user/self")).body.data.quota, 2000000);
              noErrors("operation");
            });

            await ctx.step(
              "ratios: JSON errors show under the field; a saved ratio changes the price",
              async () => {
                await open("/pricing");
                const price = () => page.locator("tbody tr", { hasText: "gpt-4o-mini" }).locator("td").nth(2);
                assertEquals(await price().textContent(), "$0.15 / 1M", "New API's default ratio");
                let form = await saveSettings({ ModelRatio: '{"gpt-4o-mini": ' });
                assertEquals(await fieldError(form, "ModelRatio").textContent(), en("setting.not_json"));
                form = await saveSettings({ ModelRatio: '{"gpt-4o-mini": -1}' });
                refused.push(`${base}/api/option/`);
                assertEquals(
                  await fieldError(form, "ModelRatio").textContent(),
                  en("api.option_ratio_negative", { key: "ModelRatio", name: "gpt-4o-mini" }),
                  "the API's rule, under the field",
                );
                assertEquals(await form.locator('[name="ModelRatio"]').getAttribute("aria-invalid"), "true");
                await screenshot(page, "settings-json-error");
                await saveSettings({ ModelRatio: '{"gpt-4o-mini": 5}' });
                await page.getByText(en("setting.saved", { count: 1 })).waitFor();
                await open("/pricing");
                assertEquals(await price().textContent(), "$10.00 / 1M");
                noErrors("ratios");
              },
            );

            let carolKey = "";
            const chat = () =>
              fetch(`${base}/v1/chat/completions`, {
                method: "POST",
                headers: { authorization: `Bearer ${carolKey}`, "content-type": "application/json" },
                body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
              });
            await ctx.step(
              "notifications: the low-balance reminder is mailed through this SMTP server",
              async () => {
                await saveSettings({
                  QuotaRemindThreshold: "5000000",
                  SMTPServer: "127.0.0.1",
                  SMTPPort: String(smtp.port),
                  SMTPFrom: "gateway@example.test",
                });
                await page.getByText(en("setting.saved", { count: 4 })).waitFor();
                // Carol set no threshold of her own: the site's applies, and mail goes to her account's address.
                const carolId = (await api(carol, "GET", "/api/user/self")).body.data.id;
                const email = await api(rootSession, "PUT", "/api/user/", {
                  id: carolId,
                  email: "carol@example.test",
                });
                assertEquals(email.body.success, true);
                const token = await api(carol, "POST", "/api/token/", {
                  name: "carol-key",
                  unlimited_quota: true,
                });
                carolKey = token.body.data.key;
                const res = await chat();
                assertEquals(res.status, 200);
                await res.body?.cancel();
                const until = Date.now() + 10000;
                while (smtp.mails.length === 0 && Date.now() < until) {
                  await new Promise((r) => setTimeout(r, 50));
                }
                assertEquals(smtp.mails.map((m) => [m.from, m.to]), [["gateway@example.test", [
                  "carol@example.test",
                ]]]);
                noErrors("notifications");
              },
            );

            await ctx.step(
              "rate limits: a user's requests beyond the limit set here are refused",
              async () => {
                await saveSettings({
                  ModelRequestRateLimitEnabled: true,
                  ModelRequestRateLimitDurationMinutes: "1",
                  ModelRequestRateLimitCount: "1",
                });
                await page.getByText(en("setting.saved", { count: 2 })).waitFor();
                const statuses = [];
                for (let i = 0; i < 2; i++) {
                  const res = await chat();
                  statuses.push(res.status);
                  await res.body?.cancel();
                }
                assertEquals(statuses, [200, 429]);
                noErrors("rate limits");
              },
            );

            await ctx.step(
              "chat apps: a link that would leak the key is refused under the field",
              async () => {
                const form = await saveSettings({
                  Chats: JSON.stringify([{ Leaky: `${chatApp.url}/app?key={key}` }]),
                });
                assertEquals(
                  await fieldError(form, "Chats").textContent(),
                  en("api.option_chat_key_in_url", { key: "Chats", name: "Leaky" }),
                );
                const link = `${chatApp.url}/app#/?settings={"key":"{key}","url":"{address}"}`;
                await saveSettings({ Chats: JSON.stringify([{ "Test chat": link }]) });
                await page.getByText(en("setting.saved", { count: 1 })).waitFor();
                noErrors("chat settings");
              },
            );

            await ctx.step(
              "keys accepted but not acted on yet are marked, each one, and can still be saved",
              async () => {
                const listed = (await api(rootSession, "GET", "/api/option/")).body.data as {
                  key: string;
                  implemented?: boolean;
                }[];
                const idle = listed.filter((o) => o.implemented === false).map((o) => o.key);
                assert(
                  idle.includes("ChatLink") && idle.includes("StreamCacheQueueLength"),
                  "the API marks them",
                );
                await open("/console/setting");
                const badge = en("setting.not_acted_on");
                const label = (key: string) =>
                  page.locator("label", { has: page.locator(`[name="${key}"]`) });
                const marked = await page.locator("label", { has: page.locator(".field-badge") })
                  .evaluateAll((labels) =>
                    labels.map((l) => l.querySelector("[name]")?.getAttribute("name") ?? "").sort()
                  );
                assertEquals(marked, [...idle].sort(), "every key the API marks, and no other");
                assertEquals(await label("ChatLink").locator(".field-badge").textContent(), badge);
                assertEquals(await label("SystemName").locator(".field-badge").count(), 0);
                await page.getByText(en("setting.not_acted_on_hint")).waitFor();
                await screenshot(page, "settings-not-acted-on");
                await saveSettings({ ChatLink: "https://chat.example/" });
                await page.getByText(en("setting.saved", { count: 1 })).waitFor();
                const chatLink = (await api(rootSession, "GET", "/api/option/")).body.data
                  .find((o: { key: string }) => o.key === "ChatLink");
                assertEquals(chatLink.value, "https://chat.example/");
                noErrors("not acted on");
              },
            );
          });

          await ctx.step("/chat2link hands a new key to the app in the link's fragment only", async () => {
            await withContext(browser, server.signedIn(carol), async (page) => {
              const problems = watchPage(page);
              await openPage(page, `${base}/chat2link`);
              const app = page.locator(".chat-apps li", { hasText: "Test chat" });
              await screenshot(page, "chat2link");
              assertEquals(problems.errors, []);
              await Promise.all([
                page.waitForURL(`${chatApp.url}/app#**`),
                app.getByRole("button", { name: en("chat.open") }).click(),
              ]);
              const fragment = decodeURIComponent(new URL(page.url()).hash);
              const settings = JSON.parse(fragment.slice(fragment.indexOf("{")));
              assertEquals(settings.url, base, "the gateway's address");
              const key: string = settings.key;
              assert(/^sk-[A-Za-z0-9]{20,}$/.test(key), key);
              assert(chatApp.seen.every((u) => !u.includes(key.slice(3))), "the app's server never got it");
              assertEquals(chatApp.seen[0], "/app");
              const models = await fetch(`${base}/v1/models`, {
                headers: { authorization: `Bearer ${key}` },
              });
              assertEquals(models.status, 200, "the handed key works");
              await models.body?.cancel();
              const tokens = await api(carol, "GET", "/api/token/?p=1&size=20");
              assert(
                tokens.body.data.items.some((tk: { name: string }) => tk.name === "Test chat (chat2link)"),
                "named after the app in the key list",
              );
              assert(!server.server.output().includes(key.slice(3)), "never in the gateway's own output");
            });
          });
        } finally {
          await browser.close();
        }
      });
    } finally {
      await chatApp.close();
      await smtp.close();
    }
  },
});
