/**
 * The register form with email verification on, in headless Chromium against the real server process: it
 * asks for the address, mails a code to it through the fake SMTP sink, and signs up with that code; with
 * verification off it has no code field.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, en, openPage } from "../support/console_page.ts";
import { startFakeSmtp } from "../support/fake_smtp.ts";

Deno.test({
  name: "register: with email verification the form sends a code and signs up with it",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const smtp = await startFakeSmtp();
    try {
      await withConsoleServer(async (server) => {
        const base = server.url;
        await server.setUp("root", "root-password-1");
        const session = await server.signIn("root", "root-password-1");
        const setOption = (key: string, value: string) => server.setOption(session, key, value);
        const browser = await launchBrowser();
        try {
          await withContext(browser, {}, async (page) => {
            const problems = watchPage(page);
            await openPage(page, `${base}/register`);
            await page.waitForLoadState("networkidle");
            assertEquals(await page.locator('[name="verification_code"]').count(), 0, "off by default");

            for (
              const [key, value] of Object.entries({
                SMTPServer: "127.0.0.1",
                SMTPPort: String(smtp.port),
                SMTPFrom: "noreply@example.com",
                SystemName: "Gateway",
                EmailVerificationEnabled: "true",
              })
            ) await setOption(key, value);
            await openPage(page, `${base}/register`);
            const code = page.locator('[name="verification_code"]');
            await code.waitFor();
            await button(page, en("register.send_code")).click();
            await page.getByText(en("register.email_needed")).waitFor();
            assertEquals(smtp.mails.length, 0);

            await page.locator('[name="email"]').fill("Dora@Example.com");
            await button(page, en("register.send_code")).click();
            await page.getByText(en("register.code_sent")).waitFor();
            for (let i = 0; i < 200 && smtp.mails.length === 0; i++) {
              await new Promise((r) => setTimeout(r, 10));
            }
            assertEquals(smtp.mails[0]?.to, ["dora@example.com"]);
            const raw = smtp.mails[0].data.split("\r\n\r\n").slice(1).join("").replace(/\r\n/g, "");
            const html = new TextDecoder().decode(Uint8Array.from(atob(raw), (ch) => ch.charCodeAt(0)));
            const mailed = html.match(/code is ([0-9a-f]{6})\./)?.[1];
            assert(mailed, html);

            await page.locator('[name="username"]').fill("dora");
            await page.locator('[name="password"]').fill("dora-password-1");
            await page.locator('[name="password2"]').fill("dora-password-1");
            await code.fill(mailed === "000000" ? "000001" : "000000");
            await button(page, en("nav.register")).click();
            await page.getByText(en("api.verification_code_wrong")).waitFor();
            await code.fill(mailed);
            await button(page, en("nav.register")).click();
            await page.waitForURL(`${base}/login`);

            const dora = await server.signIn("dora", "dora-password-1");
            const self = await fetch(`${base}/api/user/self`, { headers: { cookie: `session=${dora}` } });
            assertEquals((await self.json()).data.email, "dora@example.com");
            assertEquals(problems.errors.filter((e) => !e.endsWith("/api/user/register")), []);
          });
        } finally {
          await browser.close();
        }
      });
    } finally {
      await smtp.close();
    }
  },
});
