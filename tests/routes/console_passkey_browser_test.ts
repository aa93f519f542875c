/**
 * A passkey in headless Chromium with its virtual authenticator (CDP `WebAuthn.*`): registered from the
 * profile page's button, then the sign-in page's passkey button signs in with no username.
 */
import { assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, en, openPage } from "../support/console_page.ts";

Deno.test({
  name: "sign-in page: a passkey made by Chromium's virtual authenticator signs in",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withConsoleServer(async (server) => {
      // WebAuthn refuses IP addresses as relying party ids; Chromium resolves localhost itself.
      const base = server.url.replace("127.0.0.1", "localhost");
      await server.setUp("root", "root-password-1");
      const session = await server.signIn("root", "root-password-1");
      await server.setOption(session, "passkey.enabled", "true");
      await server.setOption(session, "ServerAddress", base);
      const browser = await launchBrowser();
      try {
        await withContext(browser, {}, async (page) => {
          const problems = watchPage(page);
          const cdp = await page.context().newCDPSession(page);
          await cdp.send("WebAuthn.enable");
          await cdp.send("WebAuthn.addVirtualAuthenticator", {
            options: {
              protocol: "ctap2",
              transport: "internal",
              hasResidentKey: true,
              hasUserVerification: true,
              isUserVerified: true,
              automaticPresenceSimulation: true,
            },
          });
          await openPage(page, `${base}/login`);
          await page.locator('[name="username"]').fill("root");
          await page.locator('[name="password"]').fill("root-password-1");
          await button(page, en("nav.login")).click();
          await page.waitForURL(`${base}/console`);
          await openPage(page, `${base}/console/personal`);
          await button(page, en("security.passkey_register")).click();
          await button(page, en("security.passkey_remove")).waitFor();
          await page.evaluate(() => fetch("/api/user/logout", { method: "POST" }));
          // The dashboard left open across that sign-out may have failed a read or two: not this test's.
          await openPage(page, `${base}/login`);
          problems.errors.length = 0;
          await button(page, en("login.passkey")).click();
          await page.waitForURL(`${base}/console`);
          const self = await page.evaluate(() => fetch("/api/user/self").then((r) => r.json()));
          assertEquals(self.data.username, "root");
          assertEquals(problems.errors, []);
        });
      } finally {
        await browser.close();
      }
    });
  },
});
