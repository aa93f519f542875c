/** The bundle: esbuild output with hashed names and a manifest, served immutable, nothing outside static/. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../support/assert.ts";
import { withConsoleApp } from "../../support/console_app.ts";
import { BUILD_DIR, buildConsole } from "../../../scripts/build_console.ts";
import { consoleSourceFingerprint } from "../../../server/console/sources.ts";
import { islandLoaders } from "../../../islands/registry.ts";
import { LANGUAGES } from "../../../i18n/languages.ts";

Deno.test("the build writes hashed entry, island and language chunks and a manifest of the current sources", async () => {
  const manifest = await buildConsole();
  assertMatch(manifest.entry, /^\/static\/build\/hydrate-[A-Z0-9]{8}\.js$/);
  assertMatch(manifest.css, /^\/static\/build\/console-[A-Z0-9]{8}\.css$/);
  assertEquals(manifest.sources, await consoleSourceFingerprint());
  for (const name of Object.keys(islandLoaders)) {
    assert(
      manifest.files.some((f) => new RegExp(`^chunks/${name}-[A-Z0-9]{8}\\.js$`).test(f)),
      `chunk for ${name}`,
    );
  }
  for (const lang of LANGUAGES) {
    assert(manifest.files.some((f) => f.startsWith(`chunks/${lang}-`)), `chunk for ${lang}`);
  }
  for (const file of manifest.files) assert((await Deno.stat(new URL(file, BUILD_DIR))).size > 0, file);
  const onDisk = JSON.parse(await Deno.readTextFile(new URL("manifest.json", BUILD_DIR)));
  assertEquals(onDisk, manifest);
  const css = await Deno.readTextFile(new URL(manifest.css.slice("/static/build/".length), BUILD_DIR));
  assertStringIncludes(css, ".uplot", "uPlot's stylesheet is bundled");
  assertStringIncludes(css, "prefers-color-scheme:dark");
});

Deno.test("built files are served with immutable caching; other static files briefly; no way out of static/", async () => {
  const manifest = await buildConsole();
  await withConsoleApp(async ({ app }) => {
    const js = await app.request(manifest.entry);
    assertEquals(js.status, 200);
    assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assertStringIncludes(await js.text(), "napi-island");
    const icon = await app.request("/static/favicon.svg");
    assertEquals(icon.headers.get("cache-control"), "public, max-age=3600");
    assertEquals(icon.headers.get("content-type"), "image/svg+xml");
    for (
      const path of [
        "/static/../deno.json",
        "/static/%2e%2e/deno.json",
        "/static/build/%2e%2e/%2e%2e/main.ts",
        "/static/build/..%5c..%5cmain.ts",
        "/static/",
        "/static/build/nope.js",
      ]
    ) {
      const res = await app.request(path);
      assertEquals(res.status, 404, path);
      assert(!(await res.text()).includes("createApp"), `${path} leaked a source file`);
    }
  });
});
