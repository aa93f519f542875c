/**
 * The sign-in page in headless Chromium against the real server: the OIDC button goes to a local provider
 * speaking the code flow (PKCE, a signed id_token), comes back to `/oauth/oidc` and lands in the console
 * as a new user; a password sign-in with 2FA on shows the code step and signs in with the next TOTP code.
 */
import { assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, en, openPage } from "../support/console_page.ts";
import { startFakeOAuth } from "../support/fake_oauth.ts";
import { base32Decode, hotp, totpStep } from "../../auth/totp.ts";

Deno.test({
  name: "sign-in page: OIDC button signs up through the provider; 2FA asks for the code",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using fake = await startFakeOAuth();
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      for (const [key, value] of Object.entries({ ...fake.options(["oidc"]), ServerAddress: base })) {
        await server.setOption(session, key, value);
      }
      const browser = await launchBrowser();
      try {
        await withContext(browser, {}, async (page) => {
          const problems = watchPage(page);
          fake.user = { id: 99, login: "olga", name: "Olga", email: "olga@example.com" };
          await openPage(page, `${base}/login`);
          await page.getByRole("link", { name: en("login.with_provider", { provider: "OIDC" }) }).click();
          await page.waitForURL(`${base}/console`);
          const self = await page.evaluate(() => fetch("/api/user/self").then((r) => r.json()));
          assertEquals([self.data.username, self.data.oidc_id], ["olga", "sub-99"]);
          assertEquals(problems.errors, []);
        });

        // Root turns 2FA on through the API; the sign-in page then asks for the code.
        const call = async (path: string, body?: unknown) =>
          await (await fetch(`${base}${path}`, {
            method: "POST",
            headers: { cookie: `session=${session}`, origin: base, "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          })).json();
        const setup = await call("/api/user/2fa/setup");
        const key = base32Decode(setup.data.secret)!;
        const step = totpStep(Date.now() / 1000);
        assertEquals((await call("/api/user/2fa/enable", { code: hotp(key, step) })).success, true);
        await withContext(browser, {}, async (page) => {
          await openPage(page, `${base}/login`);
          await page.locator('[name="username"]').fill("root");
          await page.locator('[name="password"]').fill("root-password-1");
          await button(page, en("nav.login")).click();
          const code = page.locator('[name="code"]');
          await code.waitFor();
          await code.fill("000000");
          await button(page, en("login.verify")).click();
          await page.getByText(en("api.two_fa_code_wrong")).waitFor();
          await code.fill(hotp(key, step + 1));
          await button(page, en("login.verify")).click();
          await page.waitForURL(`${base}/console`);
        });
      } finally {
        await browser.close();
      }
    });
  },
});
