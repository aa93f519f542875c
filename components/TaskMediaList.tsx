/**
 * A task's results as previews: images as thumbnails that open full size, videos and audio as players
 * that fetch nothing until played (`preload="none"`). Addresses come from `taskMedia`, http(s) only.
 */
import type { TaskMedia } from "../client/task_media.ts";

export function TaskMediaList({ media, large }: { media: TaskMedia[]; large?: boolean }) {
  return (
    // A click on a player or thumbnail is not a click on its row (which opens the detail).
    <div class={large ? "task-media task-media-large" : "task-media"} onClick={(e) => e.stopPropagation()}>
      {media.map((m) =>
        m.kind === "image"
          ? (
            <a key={m.url} href={m.url} target="_blank" rel="noopener noreferrer">
              <img src={m.url} alt="" loading="lazy" referrerpolicy="no-referrer" />
            </a>
          )
          : m.kind === "video"
          ? <video key={m.url} src={m.url} controls preload="none" playsInline />
          : <audio key={m.url} src={m.url} controls preload="none" />
      )}
    </div>
  );
}
