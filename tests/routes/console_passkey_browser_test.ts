/**
 * A passkey in headless Chromium with its virtual authenticator (CDP `WebAuthn.*`): registered through the
 * browser's own `navigator.credentials.create` with the options register/begin answers, then the sign-in
 * page's passkey button signs in with no username.
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
          // Registration as a profile page would do it: the browser's create() with the server's options.
          const registered = await page.evaluate(async () => {
            const b64 = (t: string) =>
              Uint8Array.from(atob(t.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
            const enc = (buf: ArrayBuffer) =>
              btoa(String.fromCharCode(...new Uint8Array(buf))).replaceAll("+", "-").replaceAll("/", "_")
                .replace(/=+$/, "");
            const headers = { "content-type": "application/json" };
            const begin = await (await fetch("/api/user/passkey/register/begin", { method: "POST", headers }))
              .json();
            const o = begin.data.options.publicKey;
            const cred = await navigator.credentials.create({
              publicKey: {
                ...o,
                challenge: b64(o.challenge),
                user: { ...o.user, id: b64(o.user.id) },
                excludeCredentials: [],
              },
            }) as PublicKeyCredential;
            const r = cred.response as AuthenticatorAttestationResponse;
            const finish = await fetch("/api/user/passkey/register/finish", {
              method: "POST",
              headers,
              body: JSON.stringify({
                id: cred.id,
                rawId: enc(cred.rawId),
                type: cred.type,
                response: {
                  clientDataJSON: enc(r.clientDataJSON),
                  attestationObject: enc(r.attestationObject),
                  transports: r.getTransports(),
                },
                clientExtensionResults: cred.getClientExtensionResults(),
              }),
            });
            await fetch("/api/user/logout", { method: "POST", headers });
            return (await finish.json()).success;
          });
          assertEquals(registered, true);
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
