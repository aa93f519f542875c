/**
 * Headless Chromium for browser tests, driven by playwright-core. `/usr/bin/chromium` (or CHROMIUM_PATH)
 * must exist: under CI=true its absence fails the tests, elsewhere they are skipped with a message.
 * `watchPage` collects console errors and page errors; `screenshot` saves PNGs under tests/artifacts/.
 */
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

export const chromiumPath = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const inCi = Deno.env.get("CI") === "true";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

export const chromiumAvailable = exists(chromiumPath);

/** For `Deno.test({ ignore })`: skip only outside CI, saying why. */
export const skipBrowserTests = !chromiumAvailable && !inCi;
if (skipBrowserTests) {
  console.warn(
    `browser tests skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH or install chromium)`,
  );
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fresh browser (Playwright gives each launch its own temporary user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  if (!chromiumAvailable) throw new Error(`CI=true but no Chromium at ${chromiumPath}: install chromium`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30000,
  });
}

export interface PageProblems {
  /** Console errors (Chromium logs every failed request as one) and uncaught exceptions, in order. */
  errors: string[];
}

/**
 * Records what went wrong on a page: every console error and uncaught exception. Nothing is tolerated:
 * once the routes exist and the user is signed in, a 4xx from the page's own requests is a defect.
 */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { errors: [] };
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    problems.errors.push(`${msg.text()} ${msg.location().url ?? ""}`.trim());
  });
  page.on("pageerror", (err) => problems.errors.push(`uncaught: ${err.message}`));
  return problems;
}

const artifacts = new URL("../artifacts/", import.meta.url);

export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, artifacts).pathname, fullPage: true });
}

/** Opens a context; `javaScriptEnabled: false` shows the page as it is before any script runs. */
export async function withContext<T>(
  browser: Browser,
  options: BrowserContextOptions,
  fn: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10000);
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Resolves once client/hydrate.ts has hydrated every island on the page. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForSelector("html[data-hydrated]", { state: "attached", timeout: 15000 });
}
