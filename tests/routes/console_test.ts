/**
 * Console pages in-process: the setup redirect, every page rendered on the server in the chosen language
 * with its security headers, the 404 page beside the `/api` and relay 404s, and the signed-in hook.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { withConsoleApp } from "../support/console_app.ts";
import { pages } from "../../routes/console.ts";
import { t } from "../../i18n/translate.ts";
import { LANGUAGES } from "../../i18n/languages.ts";

const pagePaths = pages.map((p) => p.config.path);

Deno.test("before setup every page redirects to /setup, which renders the wizard", async () => {
  await withConsoleApp(async ({ app }) => {
    for (const path of pagePaths.filter((p) => p !== "/setup")) {
      const res = await app.request(path);
      assertEquals(res.status, 302, path);
      assertEquals(res.headers.get("location"), "/setup", path);
    }
    const res = await app.request("/setup");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertStringIncludes(html, t("en", "setup.description"));
    assertStringIncludes(html, 'data-island="SetupForm"');
    assertStringIncludes(html, 'name="confirmPassword"');
  });
});

Deno.test("after setup every page renders server-side with its title, the layout and the CSP; /setup goes home", async () => {
  await withConsoleApp(async ({ app, setUpAndSignIn }) => {
    const cookie = await setUpAndSignIn();
    assertEquals((await app.request("/setup")).headers.get("location"), "/");
    for (const page of pages.filter((p) => p.config.path !== "/setup")) {
      const res = await app.request(page.config.path, { headers: { cookie } });
      assertEquals(res.status, 200, page.config.path);
      assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      assertStringIncludes(csp, "script-src 'self'");
      assert(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
      assertEquals(res.headers.get("x-frame-options"), "DENY");
      const html = await res.text();
      assert(html.startsWith('<!DOCTYPE html><html lang="en">'), page.config.path);
      assertStringIncludes(html, `<title>${t("en", page.config.title)} · New API</title>`);
      assertMatch(html, /<script type="module" src="\/static\/build\/hydrate-[A-Z0-9]+\.js"><\/script>/);
      assertMatch(html, /<link rel="stylesheet" href="\/static\/build\/console-[A-Z0-9]+\.css"\/>/);
      assert(!/<script(?![^>]*\bsrc=)/.test(html), `${page.config.path} has an inline script`);
      assertStringIncludes(html, 'data-island="LanguageSwitcher"');
      if (page.config.layout === "console") assertStringIncludes(html, 'class="sidebar"');
      assertStringIncludes(html, 'data-user-id="1"', "the page names its user for New-Api-User");
    }
  });
});

Deno.test("the language comes from ?lang (which sets the cookie), the cookie, then Accept-Language", async () => {
  await withConsoleApp(async ({ app, setUpAndSignIn }) => {
    const cookie = await setUpAndSignIn();
    const viaQuery = await app.request("/console/token?lang=zh-CN", {
      headers: { "accept-language": "fr", cookie },
    });
    assertStringIncludes(viaQuery.headers.get("set-cookie") ?? "", "lang=zh-CN");
    const zh = await viaQuery.text();
    assertStringIncludes(zh, '<html lang="zh-CN"');
    assertStringIncludes(zh, t("zh-CN", "token.description"));
    assertStringIncludes(zh, "令牌");

    const viaCookie = await app.request("/pricing", {
      headers: { cookie: "lang=ja", "accept-language": "fr" },
    });
    assertStringIncludes(await viaCookie.text(), t("ja", "pricing.description"));
    const viaHeader = await app.request("/pricing", { headers: { "accept-language": "ru-RU,ru;q=0.9" } });
    assertStringIncludes(await viaHeader.text(), t("ru", "pricing.description"));
    assertEquals((await app.request("/pricing?lang=klingon")).headers.get("set-cookie"), null);
    for (const lang of LANGUAGES) {
      const html = await (await app.request(`/?lang=${lang}`)).text();
      assertStringIncludes(html, t(lang, "home.lead"));
    }
  });
});

Deno.test("the theme cookie is rendered on <html>; anything else is ignored", async () => {
  await withConsoleApp(async ({ app, markSetUp }) => {
    await markSetUp();
    assertStringIncludes(
      await (await app.request("/", { headers: { cookie: "theme=dark" } })).text(),
      'data-theme="dark"',
    );
    const odd = await (await app.request("/", { headers: { cookie: 'theme="><script>' } })).text();
    assert(!odd.includes("data-theme"), "an unknown theme value is not echoed");
  });
});

Deno.test("unknown paths: console → HTML 404 page (path shown as text), /api → JSON, relay → OpenAI error", async () => {
  await withConsoleApp(async ({ app, setUpAndSignIn }) => {
    const cookie = await setUpAndSignIn();
    const page = await app.request("/console/nope%3Cscript%3Ealert(1)%3C/script%3E", {
      headers: { "accept-language": "zh-CN" },
    });
    assertEquals(page.status, 404);
    assertStringIncludes(page.headers.get("content-type") ?? "", "text/html");
    const html = await page.text();
    assertStringIncludes(html, t("zh-CN", "not_found.title"));
    assert(!html.includes("<script>alert"), "the path is escaped");

    const api = await app.request("/api/nope", { headers: { "accept-language": "ja" } });
    assertEquals(api.status, 404);
    assertEquals(await api.json(), { success: false, message: t("ja", "api.not_found") });

    const relay = await app.request("/v1/nope", { method: "POST" });
    assertEquals(relay.status, 404);
    assertEquals((await relay.json()).error.type, "invalid_request_error");

    const slash = await app.request("/console/token/", { headers: { cookie } });
    assertEquals(slash.status, 200, "a trailing slash serves the same page");
    assertStringIncludes(await slash.text(), t("en", "token.title"));
  });
});

Deno.test("with a session hook: signed-out visitors go to /login, users below a page's role to /console", async () => {
  let current: { id: number; username: string; role: number; language?: string } | undefined;
  await withConsoleApp(async ({ app, markSetUp }) => {
    await markSetUp();
    const signedOut = await app.request("/console/token");
    assertEquals(signedOut.headers.get("location"), "/login?redirect=%2Fconsole%2Ftoken");
    assertEquals((await app.request("/login")).status, 200, "public pages stay public");

    current = { id: 2, username: "alice", role: 1, language: "fr" };
    assertEquals((await app.request("/console/channel")).headers.get("location"), "/console");
    const own = await app.request("/console/token");
    assertEquals(own.status, 200);
    const html = await own.text();
    assertStringIncludes(html, t("fr", "token.description"), "the saved language applies without a cookie");
    assert(!html.includes('href="/console/channel"'), "admin links are hidden from users");

    current = { id: 1, username: "root", role: 100 };
    const root = await (await app.request("/console/setting")).text();
    assertStringIncludes(root, 'href="/console/channel"');
  }, { currentUser: () => Promise.resolve(current) });
});
