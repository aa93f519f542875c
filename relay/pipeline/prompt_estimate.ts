/**
 * The prompt estimate the reservation and the no-usage fallback use: chat-family requests are flattened
 * from the IR into billing's PromptShape; other endpoints count their text fields (Gemini embeddings: the
 * text parts of each content); audio uploads are estimated from their size (about 1 MB per minute, New
 * API's 1000 tokens per minute).
 */
import type { Endpoint } from "../endpoints.ts";
import type { IrRequest } from "../formats/ir.ts";
import {
  type CountTokens,
  estimatePromptTokens,
  MEDIA_TOKENS,
  type PromptMessage,
  type PromptShape,
} from "../billing/estimate.ts";
import type { ParsedRequest } from "./parse_request.ts";
import { contentText } from "../formats/gemini/embed.ts";
import { imagePromptTokens, type MediaCountOptions } from "../billing/image_tokens.ts";

/**
 * The prompt of a chat-family request as billing's shape. With `media`, images are measured by New API's
 * rule (`billing/image_tokens.ts`) and the message's media tokens are counted exactly that way.
 */
export function promptShapeOf(ir: IrRequest, media?: MediaCountOptions): PromptShape {
  const system: string[] = [];
  const messages: PromptMessage[] = [];
  for (const m of ir.messages) {
    const text: string[] = [];
    const shape: PromptMessage = { role: m.role, text: "" };
    const add = (k: "images" | "audios" | "files") => (shape[k] = (shape[k] ?? 0) + 1);
    let imageTokens = 0;
    for (const p of m.content) {
      switch (p.type) {
        case "text":
        case "reasoning":
          text.push(p.text);
          break;
        case "tool_call":
          text.push(p.name, p.arguments);
          break;
        case "tool_result":
          for (const c of p.content) {
            if (c.type === "text") text.push(c.text);
            else add("images");
          }
          break;
        case "image":
          add("images");
          if (media) imageTokens += imagePromptTokens(p, media);
          break;
        case "audio":
          add("audios");
          break;
        case "file":
          add("files");
          break;
      }
    }
    if (media && shape.images) {
      // Measured images replace the flat image count; other media keep theirs.
      const others = (shape.images - m.content.filter((p) => p.type === "image").length) * MEDIA_TOKENS.image;
      shape.mediaTokens = imageTokens + others + (shape.audios ?? 0) * MEDIA_TOKENS.audio +
        (shape.files ?? 0) * MEDIA_TOKENS.file;
    }
    if (m.role === "system") system.push(text.join("\n"));
    else messages.push({ ...shape, text: text.join("\n") });
  }
  return {
    system: system.length ? system.join("\n") : undefined,
    messages,
    tools: (ir.tools ?? []).map((t) =>
      JSON.stringify({ name: t.name, description: t.description, parameters: t.parameters })
    ),
  };
}

/** Text of an OpenAI `prompt`/`input` field (strings counted, token-id arrays by length). */
function countInput(count: CountTokens, v: unknown): number {
  if (typeof v === "string") return count(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) return v.length;
    return v.reduce((n: number, x) => n + countInput(count, x), 0);
  }
  if (v && typeof v === "object" && typeof (v as { text?: unknown }).text === "string") {
    return count((v as { text: string }).text);
  }
  return 0;
}

/** Text of a Responses `input` (a string, or items whose `content`/`text`/`output`/`arguments` carry it). */
function countResponsesInput(count: CountTokens, v: unknown): number {
  if (typeof v === "string") return count(v);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countResponsesInput(count, x), 0);
  if (!v || typeof v !== "object") return 0;
  const o = v as Record<string, unknown>;
  return ["text", "content", "output", "arguments"].reduce(
    (n, k) => n + countResponsesInput(count, o[k]),
    0,
  );
}

export function estimatePrompt(
  count: CountTokens,
  ep: Endpoint,
  p: ParsedRequest,
  media?: Omit<MediaCountOptions, "stream" | "model">,
): number {
  const j = p.json ?? {};
  switch (ep.prompt) {
    case "chat":
      return p.ir
        ? estimatePromptTokens(
          count,
          promptShapeOf(p.ir, media && { ...media, stream: p.stream, model: p.model }),
        )
        : 0;
    case "prompt":
      return countInput(count, j.prompt);
    case "input":
      // `instruction`: the legacy edits API's second text field.
      return countInput(count, j.input) + countInput(count, j.instruction);
    case "responses_input":
      return countResponsesInput(count, j.instructions) + countResponsesInput(count, j.input);
    case "none":
      return 0;
    case "rerank":
      return countInput(count, j.query) + countInput(count, j.documents);
    case "speech":
      return countInput(count, j.input);
    case "contents": {
      const requests = Array.isArray(j.requests) ? j.requests : [j];
      return requests.reduce((n: number, r) => n + count(contentText(r?.content)), 0);
    }
    case "image": {
      const prompt = p.form?.get("prompt") ?? j.prompt;
      return countInput(count, prompt);
    }
    case "audio": {
      const file = p.form?.get("file");
      const bytes = file instanceof File ? file.size : 0;
      return Math.max(1, Math.ceil(bytes / 1_048_576)) * 1000;
    }
  }
}
