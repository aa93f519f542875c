/**
 * Console pages on the real session and access-token check (the API's own `identify`): signed-out visitors
 * go to /login with a way back, users below a page's role to /console, admin links are hidden from users,
 * the user's saved language applies, and a disabled user or a bad credential counts as signed out.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { t } from "../../i18n/translate.ts";

appTest("console pages follow the signed-in user's session, role and saved language", async (h) => {
  const { root, alice } = await cast(h);
  const page = (path: string, headers: Record<string, string> = {}) =>
    h.call("GET", path, undefined, headers);

  const signedOut = await page("/console/token?p=2");
  assertEquals(signedOut.status, 302);
  assertEquals(signedOut.headers.get("location"), "/login?redirect=%2Fconsole%2Ftoken");
  assertEquals((await page("/pricing")).status, 200, "public pages stay public");

  const aliceCookie = { cookie: alice.cookie! };
  assertEquals((await page("/console/channel", aliceCookie)).headers.get("location"), "/console");
  assertEquals((await page("/console/setting", aliceCookie)).headers.get("location"), "/console");
  const own = await page("/console/token", aliceCookie);
  assertEquals(own.status, 200);
  const html = await own.text();
  assertStringIncludes(html, `data-user-id="${alice.userId}"`);
  assertStringIncludes(html, "alice", "the header names the account");
  assert(!html.includes('href="/console/channel"'), "admin links are hidden from users");

  await alice.call("PUT", "/api/user/self", { language: "ja" });
  assertStringIncludes(await (await page("/console", aliceCookie)).text(), t("ja", "dashboard.description"));
  const cookieWins = await page("/console", { cookie: `${alice.cookie}; lang=vi` });
  assertStringIncludes(
    await cookieWins.text(),
    t("vi", "dashboard.description"),
    "the browser's choice wins",
  );

  const rootHtml = await (await page("/console/setting", { cookie: root.cookie! })).text();
  assertStringIncludes(rootHtml, 'href="/console/channel"');
  assertStringIncludes(rootHtml, 'href="/console/setting"');

  const token = (await alice.call("GET", "/api/user/token")).body.data as string;
  assertEquals((await page("/console/token", { authorization: `Bearer ${token}` })).status, 200);
  const bad = await page("/console/token", { authorization: "Bearer not-a-token" });
  assertEquals(
    bad.headers.get("location"),
    "/login?redirect=%2Fconsole%2Ftoken",
    "a bad token is signed out",
  );

  await root.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" });
  const disabled = await page("/console/token", aliceCookie);
  assertEquals(disabled.headers.get("location"), "/login?redirect=%2Fconsole%2Ftoken");
});
