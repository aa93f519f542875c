/** Anthropic Messages request body → IR; signatures sent back inside our envelopes are unwrapped here. */
import type { DecodeRequestContext } from "../codec.ts";
import type {
  IrCacheControl,
  IrImagePart,
  IrMediaSource,
  IrMessage,
  IrPart,
  IrReasoningConfig,
  IrRequest,
  IrTextPart,
} from "../ir.ts";
import { asEffort } from "../reasoning.ts";
import { unwrapReasoningSignature, unwrapToolCallId } from "../signature.ts";
import { toolArgumentsText } from "../tool_args.ts";
import { parseRequestBody } from "../validation.ts";
import { type ClaudeBlock, type ClaudeRequest, claudeRequestSchema } from "./schema.ts";

type Source = Extract<ClaudeBlock, { type: "image" }>["source"];
type CacheControlIn = { type: "ephemeral"; ttl?: "5m" | "1h" } | null | undefined;

function cache(cc: CacheControlIn): { cacheControl?: IrCacheControl } {
  return cc ? { cacheControl: cc.ttl ? { type: "ephemeral", ttl: cc.ttl } : { type: "ephemeral" } } : {};
}

function mediaSource(s: Source): IrMediaSource | undefined {
  switch (s.type) {
    case "base64":
      return { kind: "base64", mediaType: s.media_type, data: s.data };
    case "url":
      return { kind: "url", url: s.url };
    case "file":
      return { kind: "file_id", fileId: s.file_id };
  }
  return undefined;
}

function decodeBlock(b: ClaudeBlock): IrPart | undefined {
  switch (b.type) {
    case "text":
      return { type: "text", text: b.text, ...cache(b.cache_control) };
    case "image": {
      const source = mediaSource(b.source);
      return source && { type: "image", source, ...cache(b.cache_control) };
    }
    case "document": {
      // A plain-text document is just text to every other dialect.
      if (b.source.type === "text") return { type: "text", text: b.source.data, ...cache(b.cache_control) };
      const source = mediaSource(b.source);
      return source &&
        { type: "file", source, ...(b.title ? { filename: b.title } : {}), ...cache(b.cache_control) };
    }
    case "tool_result": {
      const content: (IrTextPart | IrImagePart)[] = [];
      if (typeof b.content === "string") content.push({ type: "text", text: b.content });
      else {
        for (const c of b.content ?? []) {
          const part = c.type === "unsupported" ? undefined : decodeBlock(c);
          if (part?.type === "text" || part?.type === "image") content.push(part);
        }
      }
      return {
        type: "tool_result",
        callId: unwrapToolCallId(b.tool_use_id).id,
        content,
        ...(b.is_error ? { isError: true } : {}),
        ...cache(b.cache_control),
      };
    }
    case "tool_use": {
      const { id, signature, origin } = unwrapToolCallId(b.id);
      return {
        type: "tool_call",
        id,
        name: b.name,
        arguments: toolArgumentsText(b.input),
        ...(signature ? { signature, origin } : {}),
      };
    }
    case "thinking": {
      if (!b.signature) return { type: "reasoning", text: b.thinking };
      const sig = unwrapReasoningSignature("claude", b.signature);
      return { type: "reasoning", text: b.thinking, ...sig };
    }
    case "redacted_thinking":
      return { type: "reasoning", text: "", redacted: true, ...unwrapReasoningSignature("claude", b.data) };
  }
  return undefined;
}

function decodeContent(content: string | ClaudeBlock[]): IrPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const parts: IrPart[] = [];
  for (const b of content) {
    const p = decodeBlock(b);
    if (p) parts.push(p);
  }
  return parts;
}

function decodeThinking(req: ClaudeRequest): IrReasoningConfig | undefined {
  const t = req.thinking;
  const effort = asEffort(req.output_config?.effort ?? undefined);
  if (!t) return effort ? { enabled: true, effort } : undefined;
  if (t.type === "disabled") return { enabled: false };
  const r: IrReasoningConfig = { enabled: true, includeThoughts: true };
  if (t.type === "adaptive") r.adaptive = true;
  if (t.budget_tokens) r.budgetTokens = t.budget_tokens;
  if (effort) r.effort = effort;
  return r;
}

export function decodeClaudeRequest(body: unknown, _ctx?: DecodeRequestContext): IrRequest {
  const req = parseRequestBody(claudeRequestSchema, body);
  const messages: IrMessage[] = [];
  if (typeof req.system === "string") {
    if (req.system) messages.push({ role: "system", content: [{ type: "text", text: req.system }] });
  } else if (req.system?.length) {
    messages.push({
      role: "system",
      content: req.system.map((b) => ({ type: "text", text: b.text, ...cache(b.cache_control) })),
    });
  }
  for (const m of req.messages) messages.push({ role: m.role, content: decodeContent(m.content) });
  const ir: IrRequest = {
    model: req.model,
    messages,
    stream: req.stream === true,
    maxTokens: req.max_tokens,
  };
  if (req.temperature != null) ir.temperature = req.temperature;
  if (req.top_p != null) ir.topP = req.top_p;
  if (req.top_k != null) ir.topK = req.top_k;
  if (req.stop_sequences?.length) ir.stop = req.stop_sequences;
  // Server tools (web_search_…, bash_…) have a versioned `type` and no schema: only custom tools translate.
  const tools = (req.tools ?? []).filter((t) => !t.type || t.type === "custom").map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    ...(t.input_schema ? { parameters: t.input_schema } : {}),
    ...(t.strict != null ? { strict: t.strict } : {}),
    ...cache(t.cache_control),
  }));
  if (tools.length) ir.tools = tools;
  const tc = req.tool_choice;
  if (tc) {
    ir.toolChoice = tc.type === "any"
      ? { type: "required" }
      : tc.type === "tool"
      ? { type: "tool", name: tc.name ?? "" }
      : { type: tc.type };
    if (tc.disable_parallel_tool_use) ir.parallelToolCalls = false;
  }
  const reasoning = decodeThinking(req);
  if (reasoning) ir.reasoning = reasoning;
  const format = req.output_config?.format;
  if (format?.type === "json_schema" && format.schema) {
    ir.responseFormat = { type: "json_schema", name: "response", schema: format.schema };
  }
  if (req.metadata?.user_id) ir.user = req.metadata.user_id;
  Object.assign(ir, cache(req.cache_control));
  return ir;
}
