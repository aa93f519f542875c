/**
 * `deno task build`: bundles the islands (`client/hydrate.ts` and one lazy chunk per island and per
 * language) and `static/console.css` with esbuild into `static/build/`, content-hashed, plus
 * `manifest.json` naming the entry files. The server runs `buildConsole()` at start when the manifest is
 * missing or its source fingerprint is stale. Files are written to a temporary name and renamed, so a
 * server reading the folder never sees half a file.
 */
import * as esbuild from "esbuild";
import { fileURLToPath as fromFileUrl } from "node:url";
import { consoleSourceFingerprint } from "../server/console/sources.ts";

export interface ConsoleManifest {
  /** URL of the module script that hydrates islands. */
  entry: string;
  /** URL of the stylesheet. */
  css: string;
  /** Fingerprint of the sources this was built from. */
  sources: string;
  /** Every file of this build, relative to static/build/. */
  files: string[];
}

const root = new URL("../", import.meta.url);
export const BUILD_DIR = new URL("static/build/", root);
const PUBLIC_PREFIX = "/static/build/";

/** Resolves bare specifiers (`preact`, `preact/hooks`, `uplot`) through deno.json, to files in Deno's npm cache. */
const denoImportMap: esbuild.Plugin = {
  name: "deno-import-map",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      let url: string;
      try {
        url = import.meta.resolve(args.path);
      } catch {
        return undefined;
      }
      return url.startsWith("file:") ? { path: fromFileUrl(url) } : undefined;
    });
  },
};

async function writeAtomically(path: URL, contents: Uint8Array): Promise<void> {
  const temp = new URL(`${path.href}.tmp-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.writeFile(temp, contents);
  await Deno.rename(temp, path);
}

export async function buildConsole(
  options: { clean?: boolean; minify?: boolean } = {},
): Promise<ConsoleManifest> {
  const outdir = fromFileUrl(BUILD_DIR);
  const sources = await consoleSourceFingerprint() ?? "unknown";
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      absWorkingDir: fromFileUrl(root),
      entryPoints: { hydrate: "client/hydrate.ts", console: "static/console.css" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["es2020", "chrome100", "firefox100", "safari15"],
      outdir,
      entryNames: "[name]-[hash]",
      chunkNames: "chunks/[name]-[hash]",
      assetNames: "assets/[name]-[hash]",
      jsx: "automatic",
      jsxImportSource: "preact",
      minify: options.minify ?? true,
      legalComments: "none",
      metafile: true,
      write: false,
      logLevel: "silent",
      plugins: [denoImportMap],
    });
  } finally {
    await esbuild.stop();
  }
  if (options.clean) await Deno.remove(BUILD_DIR, { recursive: true }).catch(() => {});
  const files: string[] = [];
  let entry = "";
  let css = "";
  for (const file of result.outputFiles) {
    const rel = file.path.slice(outdir.length).replace(/^\/+/, "");
    const target = new URL(rel, BUILD_DIR);
    await Deno.mkdir(new URL(".", target), { recursive: true });
    await writeAtomically(target, file.contents);
    files.push(rel);
    const meta = result.metafile.outputs[`static/build/${rel}`];
    if (meta?.entryPoint === "client/hydrate.ts") entry = PUBLIC_PREFIX + rel;
    if (meta?.entryPoint === "static/console.css") css = PUBLIC_PREFIX + rel;
  }
  if (!entry || !css) throw new Error("esbuild produced no entry script or stylesheet");
  const manifest: ConsoleManifest = { entry, css, sources, files: files.sort() };
  await writeAtomically(
    new URL("manifest.json", BUILD_DIR),
    new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
  );
  return manifest;
}

if (import.meta.main) {
  const started = performance.now();
  const manifest = await buildConsole({ clean: true });
  const bytes = await Promise.all(
    manifest.files.map(async (f) => (await Deno.stat(new URL(f, BUILD_DIR))).size),
  );
  console.log(
    `built ${manifest.files.length} files (${Math.round(bytes.reduce((a, b) => a + b, 0) / 1024)} KiB) ` +
      `into static/build/ in ${Math.round(performance.now() - started)} ms`,
  );
}
