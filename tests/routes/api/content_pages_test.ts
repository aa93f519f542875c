/** New API's public texts: notice, about, home page, user agreement, privacy policy. */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";

const ROUTES: [string, string][] = [
  ["/api/notice", "Notice"],
  ["/api/about", "About"],
  ["/api/home_page_content", "HomePageContent"],
  ["/api/user-agreement", "legal.user_agreement"],
  ["/api/privacy-policy", "legal.privacy_policy"],
];

appTest("the public texts answer without sign-in in New API's envelope, with what root saved", async (h) => {
  const { root } = await cast(h);
  for (const [path] of ROUTES) {
    const res = await h.call("GET", path);
    assertEquals(res.status, 200, path);
    assertEquals(
      await res.json(),
      { success: true, message: "", data: "" },
      `${path} before anything is saved`,
    );
  }
  const status = async () => (await (await h.call("GET", "/api/status")).json()).data;
  assertEquals((await status()).user_agreement_enabled, false);
  assertEquals((await status()).privacy_policy_enabled, false);
  for (const [path, key] of ROUTES) {
    const value = `# ${key}\n\n<p>text of ${path} — 中文</p>`;
    const saved = await root.call("PUT", "/api/option/", { key, value });
    assertEquals(saved.body.success, true, `${key}: ${saved.body.message}`);
    const res = await h.call("GET", path);
    assertEquals(await res.json(), { success: true, message: "", data: value }, path);
  }
  assertEquals((await status()).user_agreement_enabled, true);
  assertEquals((await status()).privacy_policy_enabled, true);
  const listed = await root.call("GET", "/api/option/");
  // deno-lint-ignore no-explicit-any
  const rows = listed.body.data as any[];
  for (const [, key] of ROUTES) {
    const row = rows.find((r) => r.key === key);
    assertEquals(row?.implemented, true, `${key} is acted on (served), not marked otherwise`);
  }
});
