/**
 * The console's static files: the build manifest (built at start when missing or stale) and `/static/*`
 * served from the folder next to the code, located through `import.meta.url` so it resolves inside a
 * compiled binary (`deno compile --include static`). Hashed build files are cached forever by browsers.
 */
import type { Context } from "hono";
import type { ConsoleManifest } from "../../scripts/build_console.ts";
import { consoleSourceFingerprint } from "./sources.ts";
import { log } from "../logger.ts";

const STATIC_DIR = new URL("../../static/", import.meta.url);
const MANIFEST = new URL("build/manifest.json", STATIC_DIR);
/** A variable, not a literal: `deno compile` must not embed esbuild; a binary carries its built bundle. */
const BUILD_SCRIPT = new URL("../../scripts/build_console.ts", import.meta.url).href;

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  webp: "image/webp",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

export const IMMUTABLE = "public, max-age=31536000, immutable";

async function readManifest(): Promise<ConsoleManifest | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(MANIFEST));
  } catch {
    return undefined;
  }
}

/**
 * The manifest, building the bundle first when it is missing or older than the sources. A failed build is
 * logged and pages are served without scripts and styles rather than not at all.
 */
async function loadManifest(): Promise<ConsoleManifest | undefined> {
  const [manifest, sources] = await Promise.all([readManifest(), consoleSourceFingerprint()]);
  if (manifest && (sources === undefined || manifest.sources === sources)) return manifest;
  if (sources === undefined) {
    log.error("the console bundle is missing and its sources are not here; run `deno task build`");
    return undefined;
  }
  const started = performance.now();
  try {
    const { buildConsole } = await import(BUILD_SCRIPT);
    const built = await buildConsole() as ConsoleManifest;
    log.info(`built the console bundle in ${Math.round(performance.now() - started)} ms`);
    return built;
  } catch (err) {
    log.error("building the console bundle failed", { error: String(err) });
    return manifest;
  }
}

let manifestPromise: Promise<ConsoleManifest | undefined> | undefined;

/** Memoised: the first call (at start, from main.ts) does the work. */
export function consoleManifest(): Promise<ConsoleManifest | undefined> {
  manifestPromise ??= loadManifest();
  return manifestPromise;
}

const fileCache = new Map<string, Uint8Array>();

/** `GET /static/*`: files under static/, never outside it; build files cached in memory and by browsers. */
export async function serveStatic(c: Context): Promise<Response> {
  const raw = c.req.path.slice("/static/".length);
  let rel: string;
  try {
    rel = decodeURIComponent(raw);
  } catch {
    return c.notFound();
  }
  const segments = rel.split("/");
  if (
    !rel || rel.includes("\\") || rel.includes("\0") ||
    segments.some((s) => s === "" || s === "." || s === "..")
  ) {
    return c.notFound();
  }
  const hashed = rel.startsWith("build/") && rel !== "build/manifest.json";
  let body = hashed ? fileCache.get(rel) : undefined;
  if (!body) {
    try {
      body = await Deno.readFile(new URL(rel, STATIC_DIR));
    } catch {
      return c.notFound();
    }
    if (hashed) fileCache.set(rel, body);
  }
  const ext = rel.slice(rel.lastIndexOf(".") + 1).toLowerCase();
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
    "cache-control": hashed ? IMMUTABLE : "public, max-age=3600",
    "x-content-type-options": "nosniff",
  });
}
