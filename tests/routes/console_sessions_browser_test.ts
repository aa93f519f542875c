/**
 * The profile page's sign-in sessions in headless Chromium: a second sign-in (another "device") is listed
 * beside this one, "sign out every other session" ends it at once, and this browser stays signed in.
 */
import { assertEquals } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { button, en, openPage } from "../support/console_page.ts";

Deno.test({
  name: "profile page: sessions are listed and 'sign out every other session' ends the other one",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withConsoleServer(async (server) => {
      await server.setUp("root", "root-password-1");
      const mine = await server.signIn("root", "root-password-1");
      const other = await server.signIn("root", "root-password-1");
      const selfWith = (session: string) =>
        fetch(`${server.url}/api/user/self`, { headers: { cookie: `session=${session}` } }).then(
          async (r) => {
            await r.body?.cancel();
            return r.status;
          },
        );
      const browser = await launchBrowser();
      try {
        await withContext(browser, server.signedIn(mine), async (page) => {
          const problems = watchPage(page);
          await openPage(page, `${server.url}/console/personal`);
          const rows = page.locator('[data-testid="login-sessions"] tbody tr');
          await rows.nth(1).waitFor();
          assertEquals(await rows.count(), 2);
          assertEquals(await rows.filter({ hasText: en("sessions.this_one") }).count(), 1);
          assertEquals(await selfWith(other), 200);
          await button(page, en("sessions.end_others")).click();
          await page.locator('[data-testid="login-sessions"] tbody tr').nth(1).waitFor({ state: "detached" });
          assertEquals(await selfWith(other), 401, "the other session is refused at once");
          assertEquals(await selfWith(mine), 200);
          assertEquals(problems.errors, []);
        });
      } finally {
        await browser.close();
      }
    });
  },
});
