/** `taskMedia`: which addresses of a task's answer are previews, and of what kind. */
import { assertEquals } from "../support/assert.ts";
import { taskMedia } from "../../client/task_media.ts";

Deno.test("Suno clips, video objects and Midjourney rows give their images, video and audio, once each", () => {
  assertEquals(
    taskMedia(JSON.stringify([{ audio_url: "https://c/a.mp3", image_url: "https://c/a.png", title: "x" }])),
    [{ kind: "audio", url: "https://c/a.mp3" }, { kind: "image", url: "https://c/a.png" }],
  );
  assertEquals(taskMedia({ content: { video_url: "https://c/v" } }), [{ kind: "video", url: "https://c/v" }]);
  assertEquals(taskMedia({ file: { url: "https://c/clip.mp4?sig=1" } }), [{
    kind: "video",
    url: "https://c/clip.mp4?sig=1",
  }]);
  assertEquals(taskMedia({ video_urls: '["https://c/1.mp4","https://c/1.mp4"]' }), [
    { kind: "video", url: "https://c/1.mp4" },
  ]);
});

Deno.test("only http(s) addresses of a known kind count: no javascript:, data: or plain ids", () => {
  assertEquals(
    taskMedia({
      image_url: "javascript:alert(1)",
      video_url: "data:video/mp4;base64,AA",
      id: "https://c/page",
    }),
    [],
  );
  assertEquals(taskMedia(null), []);
  assertEquals(taskMedia("not json"), []);
});
