/**
 * Veo on Vertex AI channels (type 41), as New API's vertex task adaptor: the key is a service-account JSON
 * key, exchanged for a cached OAuth token (the chat relay's `providers/vertex/token.ts`), sent as a Bearer
 * with `x-goog-user-project`; `POST …/v1/projects/{project}/locations/{region}/publishers/google/models/
 * {model}:predictLongRunning` (region from the channel's `other`, as for chat) with Veo's `{instances,
 * parameters}` (`sampleCount` 1); the operation name, base64url encoded, is the task id, and it is polled
 * with `:fetchPredictOperation {operationName}` on the project, region and model the name carries. The
 * finished video comes back inline (`bytesBase64Encoded`), kept as a `data:` URL. Priced `ModelPrice[model]`
 * × seconds (`durationSeconds`, else duration/seconds, else 8); no resolution ratio (New API's vertex).
 */
import { TaskStatus } from "../../../store/tasks.ts";
import { accessToken, parseServiceAccount } from "../../providers/vertex/token.ts";
import { vertexHost, vertexRegion } from "../../providers/vertex/index.ts";
import { ChannelError } from "../../pipeline/failure.ts";
import type { UpstreamClient } from "../../http/upstream_client.ts";
import type { TaskChannel } from "../task_relay.ts";
import { obj, text, type UpstreamCall, type VideoAdapter, VideoInputError } from "./adapter.ts";
import { decodeName, encodeName, veoResolution, veoResolutionOfSize, veoSeconds } from "./veo.ts";

async function authHeaders(
  ch: TaskChannel,
  http: UpstreamClient | undefined,
): Promise<{ headers: Record<string, string>; project: string }> {
  let sa;
  try {
    sa = parseServiceAccount(ch.key);
  } catch (e) {
    throw new VideoInputError(e instanceof ChannelError ? e.message : "the Vertex key is not usable");
  }
  const token = await accessToken(sa, http, ch.proxy);
  return {
    project: sa.project_id,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${token}`,
      "x-goog-user-project": sa.project_id,
    },
  };
}

const modelPath = (ch: TaskChannel, project: string, region: string, model: string, method: string) =>
  `${vertexHost(ch.baseUrl, region)}/v1/projects/${encodeURIComponent(project)}/locations/${region}` +
  `/publishers/google/models/${encodeURIComponent(model)}:${method}`;

/** Project, region and model of an operation name (`projects/p/locations/r/publishers/google/models/m/operations/o`). */
export function operationParts(name: string): { project: string; region: string; model: string } {
  const project = /projects\/([^/]+)\/locations\//.exec(name)?.[1] ?? "";
  const region = /locations\/([a-z0-9-]+)\//.exec(name)?.[1] || "us-central1";
  const model = /models\/([^/]+)\/operations\//.exec(name)?.[1] ?? "";
  if (!project || !model) throw new VideoInputError("cannot read project/model from the operation name");
  return { project, region, model };
}

/** The inline video of a done operation as a `data:` URL (New API's reading of its three shapes). */
export function inlineVideoUrl(response: Record<string, unknown>): string | undefined {
  const mimeOf = (mime: unknown, encoding: unknown) => {
    const m = text(mime).trim();
    if (m) return m;
    const e = text(encoding).trim() || "mp4";
    return e.includes("/") ? e : `video/${e}`;
  };
  const videos = Array.isArray(response.videos) ? response.videos : [];
  const first = obj(videos[0]);
  if (text(first.bytesBase64Encoded)) {
    return `data:${mimeOf(first.mimeType, first.encoding)};base64,${text(first.bytesBase64Encoded)}`;
  }
  const inline = text(response.bytesBase64Encoded) || text(response.video);
  return inline ? `data:${mimeOf("", response.encoding)};base64,${inline}` : undefined;
}

export const veoVertexAdapter: VideoAdapter = {
  name: "veo-vertex",
  types: [41],
  price: (req) => {
    const seconds = veoSeconds(req);
    return {
      multiplier: seconds,
      seconds,
      size: veoResolution(req),
      dims: { resolution: veoResolution(req) },
    };
  },
  action: (req) => req.images.length > 0 ? "generate" : "textGenerate",
  submit: async (ch, req, _action, _raw, http): Promise<UpstreamCall> => {
    const { headers, project } = await authHeaders(ch, http);
    const model = req.model || "veo-3.0-generate-001";
    const parameters: Record<string, unknown> = { ...req.metadata, durationSeconds: veoSeconds(req) };
    if (req.size && !parameters.resolution) parameters.resolution = veoResolutionOfSize(req.size);
    if (req.size && !parameters.aspectRatio) {
      const [w, h] = req.size.split("x").map((p) => Number.parseInt(p, 10) || 0);
      parameters.aspectRatio = h > w ? "9:16" : "16:9";
    }
    if (typeof parameters.resolution === "string") {
      parameters.resolution = parameters.resolution.toLowerCase();
    }
    parameters.sampleCount = 1;
    const instance: Record<string, unknown> = { prompt: req.prompt };
    const image = req.images[0];
    const data = image && /^data:([^;]+);base64,(.+)$/.exec(image);
    if (data) instance.image = { mimeType: data[1], bytesBase64Encoded: data[2] };
    else if (image && !image.startsWith("http")) {
      instance.image = { mimeType: "image/png", bytesBase64Encoded: image };
    }
    const region = vertexRegion(ch.channel.other ?? "", model);
    return {
      method: "POST",
      url: modelPath(ch, project, region, model, "predictLongRunning"),
      headers,
      body: JSON.stringify({ instances: [instance], parameters }),
    };
  },
  accepted: (answer) => {
    const name = text(obj(answer).name).trim();
    return name ? { taskId: encodeName(name) } : { error: "missing operation name" };
  },
  fetch: async (ch, t, http) => {
    const name = decodeName(t.taskId);
    const { project, region, model } = operationParts(name);
    const { headers } = await authHeaders(ch, http);
    return {
      method: "POST",
      url: modelPath(ch, project, region, model, "fetchPredictOperation"),
      headers,
      body: JSON.stringify({ operationName: name }),
    };
  },
  result: (op) => {
    const message = text(obj(op.error).message);
    if (message) return { status: TaskStatus.failure, progress: 100, failReason: message };
    if (op.done !== true) return { status: TaskStatus.inProgress, progress: 50, failReason: "" };
    return {
      status: TaskStatus.success,
      progress: 100,
      failReason: "",
      url: inlineVideoUrl(obj(op.response)),
    };
  },
};
