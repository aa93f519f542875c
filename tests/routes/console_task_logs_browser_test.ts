/**
 * Task and Midjourney logs in headless Chromium: an admin sees every user's tasks with channel and user
 * columns, a user only their own; status, progress, the fail reason, and previews of the images, video and
 * audio a task produced (an https image loads under the page's CSP); on a phone (390×844) rows are cards
 * that fit the screen. Screenshots: tests/artifacts/tasks-*.png.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { withConsoleServer } from "../support/console_server.ts";
import { launchBrowser, screenshot, skipBrowserTests, watchPage, withContext } from "../support/browser.ts";
import { insertTask, type NewTask } from "../../store/tasks.ts";
import { insertMjTask, type NewMjTask } from "../../store/midjourneys.ts";
import { en, EVIL, openPage } from "../support/console_page.ts";
import type { Page } from "playwright-core";
import { Buffer } from "node:buffer";

/** A 1×1 PNG, what the fake media host answers. */
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

const task = (over: Partial<NewTask>): NewTask => ({
  taskId: "task-x",
  platform: "suno",
  userId: 1,
  group: "default",
  channelId: 3,
  quota: 50000,
  action: "MUSIC",
  status: "SUCCESS",
  failReason: "",
  submitTime: 0,
  startTime: 0,
  finishTime: 0,
  progress: "100%",
  properties: "",
  data: "",
  requestId: "",
  tokenId: 0,
  ...over,
});

const mjTask = (over: Partial<NewMjTask>): NewMjTask => ({
  code: 1,
  userId: 1,
  action: "IMAGINE",
  mjId: "mj-x",
  prompt: "",
  promptEn: "",
  description: "",
  state: "",
  submitTime: 0,
  startTime: 0,
  finishTime: 0,
  imageUrl: "",
  videoUrl: "",
  videoUrls: "",
  status: "SUCCESS",
  progress: "100%",
  failReason: "",
  channelId: 4,
  quota: 25000,
  buttons: "",
  properties: "",
  tokenId: 0,
  requestId: "",
  ...over,
});

/** Serves https://cdn.example/* as PNG images to the page, so an upstream's https result really loads. */
async function fakeMediaHost(page: Page) {
  await page.route(
    "https://cdn.example/**",
    (route) => route.fulfill({ status: 200, contentType: "image/png", body: Buffer.from(PNG) }),
  );
}

const rowCells = async (page: Page, text: string) => {
  const headers = await page.locator("thead th").allTextContents();
  const row = page.locator("tbody tr.clickable", { hasText: text }).first();
  const values = await row.locator("td").allTextContents();
  return Object.fromEntries(headers.map((h, i) => [h, values[i]]));
};

Deno.test({
  name:
    "task logs: admin sees all, a user their own; status, progress, fail reason, media previews, phone cards",
  ignore: skipBrowserTests,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    await withConsoleServer(async (server) => {
      const base = server.url;
      await server.setUp("root", "root-password-1");
      const root = await server.signIn("root", "root-password-1");
      // The browser is shown the upstream's https address (its /mj/image proxy has its own tests).
      await server.setOption(root, "MjForwardUrlEnabled", "false");
      const signUp = await fetch(`${base}/api/user/register`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ username: "dora", password: "dora-password-1" }),
      });
      assertEquals((await signUp.json()).success, true);
      const dora = await server.signIn("dora", "dora-password-1");
      const db = await server.store();
      const now = Math.floor(Date.now() / 1000);
      await insertTask(
        db,
        task({
          taskId: "suno-ok-1",
          submitTime: now - 300,
          startTime: now - 290,
          finishTime: now - 250,
          data: JSON.stringify([{
            id: "clip1",
            audio_url: "https://cdn.example/clip1.mp3",
            image_url: "https://cdn.example/clip1.png",
            title: EVIL,
          }]),
        }),
      );
      await insertTask(
        db,
        task({
          taskId: "video-run-2",
          platform: "54",
          action: "generate",
          status: "IN_PROGRESS",
          progress: "40%",
          submitTime: now - 100,
          startTime: now - 90,
        }),
      );
      await insertTask(
        db,
        task({
          taskId: "video-fail-3",
          platform: "54",
          action: "generate",
          status: "FAILURE",
          progress: "100%",
          failReason: `content policy ${EVIL}`,
          submitTime: now - 60,
          startTime: now - 60,
          finishTime: now - 30,
        }),
      );
      await insertTask(
        db,
        task({
          taskId: "dora-video-4",
          userId: 2,
          platform: "54",
          action: "generate",
          submitTime: now - 20,
          startTime: now - 20,
          finishTime: now - 5,
          data: JSON.stringify({ id: "v4", content: { video_url: "https://cdn.example/v4.mp4" } }),
        }),
      );
      await insertMjTask(
        db,
        mjTask({
          mjId: "mj-root-1",
          prompt: `a red fox ${EVIL}`,
          imageUrl: "https://cdn.example/fox.png",
          submitTime: (now - 200) * 1000,
          startTime: (now - 195) * 1000,
          finishTime: (now - 150) * 1000,
        }),
      );
      await insertMjTask(
        db,
        mjTask({
          mjId: "mj-dora-2",
          userId: 2,
          status: "IN_PROGRESS",
          progress: "65%",
          submitTime: (now - 10) * 1000,
        }),
      );
      const browser = await launchBrowser();
      try {
        await ctx.step(
          "admin, desktop: every user's tasks, status, progress, previews, fail reason",
          async () => {
            await withContext(
              browser,
              server.signedIn(root, { viewport: { width: 1440, height: 900 } }),
              async (page) => {
                const problems = watchPage(page);
                await fakeMediaHost(page);
                await openPage(page, `${base}/console/task`);
                await page.locator("tbody tr.clickable").first().waitFor();
                assertEquals(await page.locator("tbody tr.clickable").count(), 4, "every user's tasks");
                const headers = await page.locator("thead th").allTextContents();
                assert(
                  headers.includes(en("auth.username")) && headers.includes(en("log.channel_col")),
                  `${headers}`,
                );

                const ok = await rowCells(page, "suno-ok-1");
                assertEquals(
                  ok[en("task.status")].startsWith(en("task.status_success")),
                  true,
                  ok[en("task.status")],
                );
                assertStringIncludes(ok[en("task.status")], "100%");
                assertEquals(ok[en("log.duration")], "40 s");
                assertEquals(ok[en("log.cost")], "$0.10");
                assertEquals(ok[en("auth.username")], "root");
                assertEquals(ok[en("log.channel_col")], "#3");
                const row = page.locator("tbody tr.clickable", { hasText: "suno-ok-1" });
                const thumb = row.locator(".task-media img");
                await thumb.waitFor();
                await page.waitForFunction(
                  (img) => (img as HTMLImageElement).complete,
                  await thumb.elementHandle(),
                );
                assertEquals(
                  await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth),
                  1,
                  "the https image loads",
                );
                assertEquals(
                  await row.locator(".task-media audio").getAttribute("src"),
                  "https://cdn.example/clip1.mp3",
                );

                const running = await rowCells(page, "video-run-2");
                assertStringIncludes(running[en("task.status")], en("task.status_in_progress"));
                assertStringIncludes(running[en("task.status")], "40%");
                assertEquals(
                  await page.locator("tbody tr.clickable", { hasText: "video-run-2" }).locator("progress")
                    .evaluate(
                      (p) => (p as HTMLProgressElement).value,
                    ),
                  40,
                );
                assertEquals(running[en("log.duration")], "—", "not finished");

                const failed = await rowCells(page, "video-fail-3");
                assertEquals(failed[en("task.result")], `content policy ${EVIL}`, "the reason, as text");
                const dora = await rowCells(page, "dora-video-4");
                assertEquals(dora[en("auth.username")], "dora");
                assertEquals(
                  await page.locator("tbody tr.clickable", { hasText: "dora-video-4" }).locator("video")
                    .getAttribute("src"),
                  "https://cdn.example/v4.mp4",
                );

                await page.locator("tbody tr.clickable", { hasText: "video-fail-3" }).click();
                const detail = await page.locator("tr.detail").textContent() ?? "";
                assertStringIncludes(detail, en("task.fail_reason"));
                assertStringIncludes(detail, `content policy ${EVIL}`);

                // A filter by status goes through the API's own filter.
                await page.selectOption("select[name=status]", "FAILURE");
                await page.getByRole("button", { name: en("common.search"), exact: true }).click();
                await page.waitForFunction(() =>
                  document.querySelectorAll("tbody tr.clickable").length === 1
                );
                assertStringIncludes(await page.locator("tbody").textContent() ?? "", "video-fail-3");
                assertEquals(await page.locator("img[src='x']").count(), 0, "no markup from task data");
                assertEquals(problems.errors, []);
                await screenshot(page, "tasks-1440");

                await openPage(page, `${base}/console/midjourney`);
                await page.locator("tbody tr.clickable").first().waitFor();
                assertEquals(await page.locator("tbody tr.clickable").count(), 2);
                const fox = await rowCells(page, "mj-root-1");
                assertEquals(fox[en("log.duration")], "45 s", "Midjourney's milliseconds read as seconds");
                assertEquals(fox[en("task.action")], "IMAGINE");
                assertEquals(fox[en("log.cost")], "$0.05");
                const img = page.locator("tbody tr.clickable", { hasText: "mj-root-1" }).locator(
                  ".task-media img",
                );
                await page.waitForFunction(
                  (el) => (el as HTMLImageElement).complete,
                  await img.elementHandle(),
                );
                assertEquals(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth), 1);
                const mjRunning = await rowCells(page, "mj-dora-2");
                assertStringIncludes(mjRunning[en("task.status")], "65%");
                assertEquals(mjRunning[en("auth.username")], "#2");
                await page.locator("tbody tr.clickable", { hasText: "mj-root-1" }).click();
                assertStringIncludes(
                  await page.locator("tr.detail").textContent() ?? "",
                  `a red fox ${EVIL}`,
                );
                assertEquals(await page.locator("img[src='x']").count(), 0);
                assertEquals(problems.errors, []);
                await screenshot(page, "mj-1440");
              },
            );
          },
        );

        await ctx.step("a user sees only their own tasks, without admin columns", async () => {
          await withContext(browser, server.signedIn(dora), async (page) => {
            const problems = watchPage(page);
            await fakeMediaHost(page);
            await openPage(page, `${base}/console/task`);
            await page.locator("tbody tr.clickable").first().waitFor();
            const rows = await page.locator("tbody tr.clickable").allTextContents();
            assertEquals(rows.length, 1);
            assertStringIncludes(rows[0], "dora-video-4");
            const headers = await page.locator("thead th").allTextContents();
            assert(
              !headers.includes(en("log.channel_col")) && !headers.includes(en("auth.username")),
              `${headers}`,
            );
            assertEquals(await page.locator("input[name=channel_id]").count(), 0);
            await openPage(page, `${base}/console/midjourney`);
            await page.locator("tbody tr.clickable").first().waitFor();
            const mjRows = await page.locator("tbody tr.clickable").allTextContents();
            assertEquals(mjRows.length, 1);
            assertStringIncludes(mjRows[0], "mj-dora-2");
            assertEquals(problems.errors, []);
          });
        });

        await ctx.step("phone: rows are cards that fit the screen, previews included", async () => {
          const options = server.signedIn(root, { viewport: { width: 390, height: 844 }, isMobile: true });
          await withContext(browser, options, async (page) => {
            const problems = watchPage(page);
            await fakeMediaHost(page);
            for (const path of ["/console/task", "/console/midjourney"]) {
              await openPage(page, `${base}${path}`);
              await page.locator("tbody tr.clickable").first().waitFor();
              await page.locator("tbody tr.clickable").first().click();
              await page.locator("tr.detail").waitFor();
              const widths = await page.evaluate(() => {
                const wrap = document.querySelector(".table-wrap")!;
                return {
                  page: document.documentElement.scrollWidth,
                  wrap: wrap.clientWidth,
                  table: wrap.querySelector("table")!.scrollWidth,
                  right: Math.max(
                    ...[...wrap.querySelectorAll("td, img, video, audio")].map((e) =>
                      e.getBoundingClientRect().right
                    ),
                  ),
                };
              });
              assert(widths.page <= 390, `${path}: no sideways page scroll: ${JSON.stringify(widths)}`);
              assert(
                widths.table <= widths.wrap,
                `${path}: the table fits its box: ${JSON.stringify(widths)}`,
              );
              assert(widths.right <= 390, `${path}: everything on screen: ${JSON.stringify(widths)}`);
              await screenshot(page, `tasks-390${path.replaceAll("/", "-")}`);
            }
            assertEquals(problems.errors, []);
          });
        });
      } finally {
        await browser.close();
      }
    });
  },
});
