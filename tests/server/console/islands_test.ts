/** The island marker: props survive as JSON in an escaped attribute, nothing in them becomes markup. */
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../../support/assert.ts";
import { IslandPropsError, loadIslands } from "../../../server/console/islands.ts";
import { islandLoaders } from "../../../islands/registry.ts";
import RegisterForm from "../../../islands/RegisterForm.tsx";
import ThemeToggle from "../../../islands/ThemeToggle.tsx";
import TokenManager from "../../../islands/TokenManager.tsx";

await loadIslands();

function decodeAttribute(value: string): string {
  return value.replace(
    /&(quot|amp|lt|gt|#39);/g,
    (_, e) => ({ quot: '"', amp: "&", lt: "<", gt: ">", "#39": "'" })[e as "quot"],
  );
}

function markers(html: string): { name: string; props: unknown }[] {
  return [...html.matchAll(/<napi-island data-island="([^"]+)" data-props="([^"]*)">/g)].map((m) => ({
    name: m[1],
    props: JSON.parse(decodeAttribute(m[2])),
  }));
}

Deno.test("an island renders its server HTML inside a marker carrying its props", () => {
  const html = renderToString(h("main", null, h(RegisterForm, { affCode: "FRIEND" })));
  assertEquals(markers(html), [{ name: "RegisterForm", props: { affCode: "FRIEND" } }]);
  assertStringIncludes(html, 'name="aff_code" value="FRIEND"', "the form is rendered on the server too");
  assert(html.endsWith("</napi-island></main>"));
});

Deno.test("props with </script>, quotes, ampersands and tags round-trip exactly and never become markup", () => {
  const nasty = `</script><script>alert(1)</script>"' & <img src=x onerror=alert(2)> \u2028 </napi-island>`;
  const html = renderToString(h(RegisterForm, { affCode: nasty }));
  assertEquals(markers(html), [{ name: "RegisterForm", props: { affCode: nasty } }]);
  assert(!html.includes("<script"), "no script tag appears");
  assert(!html.includes("<img"), "no img tag appears");
  assertEquals(html.match(/<\/napi-island>/g)?.length, 1, "the marker cannot be closed from inside");
});

Deno.test("islands take JSON props only: functions and children are refused at render time", () => {
  assertThrows(
    () => renderToString(h(TokenManager, { quotaPerUnit: (() => 1) as unknown as number })),
    IslandPropsError,
    "quotaPerUnit",
  );
  assertThrows(() => renderToString(h(ThemeToggle, null, "child")), IslandPropsError, "children");
});

Deno.test("every file in islands/ is registered, and every registered island loads a component", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(new URL("../../../islands/", import.meta.url))) {
    if (e.name.endsWith(".tsx")) files.push(e.name.replace(/\.tsx$/, ""));
  }
  assertEquals(files.sort(), Object.keys(islandLoaders).sort());
  for (const [name, load] of Object.entries(islandLoaders)) {
    assertEquals(typeof (await load()).default, "function", name);
  }
});
