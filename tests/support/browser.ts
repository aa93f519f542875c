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
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** `/api` or `/pg` requests answered 404: routes the server does not have yet (reported, not errors). */
  missingApi: string[];
  /** `/api` requests answered 401 while nobody is signed in (islands show a "sign in" notice). */
  signedOut: string[];
}

/**
 * Records what went wrong on a page. Chromium logs every 4xx fetch as a console error; a 404 from a
 * management route that does not exist yet is listed in `missingApi` instead, since islands show it as
 * "not available" by design.
 */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], missingApi: [], signedOut: [] };
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location().url ?? "";
    const path = url ? new URL(url).pathname : "";
    if (/status of 404/.test(msg.text()) && /^\/(api|pg)\//.test(path)) problems.missingApi.push(path);
    else if (/status of 401/.test(msg.text()) && /^\/api\//.test(path)) problems.signedOut.push(path);
    else problems.errors.push(`${msg.text()} ${url}`.trim());
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
