/** Channel type → video task adaptor; the types whose channels `/v1/video*` and the poller serve. */
import type { VideoAdapter } from "./adapter.ts";
import { openAiVideoAdapter } from "./openai.ts";
import { klingAdapter } from "./kling.ts";
import { doubaoAdapter } from "./doubao.ts";
import { veoAdapter } from "./veo.ts";
import { hailuoAdapter } from "./hailuo.ts";
import { viduAdapter } from "./vidu.ts";
import { jimengAdapter } from "./jimeng.ts";
import { veoVertexAdapter } from "./veo_vertex.ts";

export const VIDEO_ADAPTERS: readonly VideoAdapter[] = [
  openAiVideoAdapter,
  klingAdapter,
  doubaoAdapter,
  veoAdapter,
  hailuoAdapter,
  viduAdapter,
  jimengAdapter,
  veoVertexAdapter,
];

const byType = new Map<number, VideoAdapter>();
for (const a of VIDEO_ADAPTERS) for (const t of a.types) byType.set(t, a);

export function videoAdapterFor(type: number): VideoAdapter | undefined {
  return byType.get(type);
}

/** Every channel type some video adaptor serves. */
export const VIDEO_CHANNEL_TYPES: ReadonlySet<number> = new Set(byType.keys());
