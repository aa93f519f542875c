/** IR → Anthropic Messages request body: one system slot, results-first user turns, signed thinking only. */
import { invalidRequest } from "../errors.ts";
import type { IrCacheControl, IrEffort, IrMessage, IrPart, IrReasoningConfig, IrRequest } from "../ir.ts";
import { claudeBudgetForEffort, isClaudeAdaptiveOnly } from "../reasoning.ts";
import { toolArgumentsObject } from "../tool_args.ts";
import { answerOrphanedCalls, refuseStoredState } from "../tool_pairing.ts";

type Json = Record<string, unknown>;

/** Claude tool ids must match ^[a-zA-Z0-9_-]+$ (Kimi sends "functions.get_weather:0"). */
export function claudeToolId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, "_");
}

function cc(c: IrCacheControl | undefined): Json {
  return c ? { cache_control: c.ttl ? { type: "ephemeral", ttl: c.ttl } : { type: "ephemeral" } } : {};
}

function encodePart(p: IrPart): Json | undefined {
  switch (p.type) {
    case "text":
      return p.text ? { type: "text", text: p.text, ...cc(p.cacheControl) } : undefined;
    case "image": {
      const s = p.source;
      const source = s.kind === "base64"
        ? { type: "base64", media_type: s.mediaType, data: s.data }
        : s.kind === "url"
        ? { type: "url", url: s.url }
        : { type: "file", file_id: s.fileId };
      return { type: "image", source, ...cc(p.cacheControl) };
    }
    case "file": {
      const s = p.source;
      if (s.kind === "base64" && s.mediaType.startsWith("image/")) {
        return encodePart({ type: "image", source: s, cacheControl: p.cacheControl });
      }
      const source = s.kind === "base64"
        ? { type: "base64", media_type: s.mediaType, data: s.data }
        : s.kind === "url"
        ? { type: "url", url: s.url }
        : { type: "file", file_id: s.fileId };
      return {
        type: "document",
        source,
        ...(p.filename ? { title: p.filename } : {}),
        ...cc(p.cacheControl),
      };
    }
    case "audio":
      throw invalidRequest("audio input is not supported by Claude models");
    case "reasoning":
      // Only Claude's own signed blocks can be replayed; others are dropped (§5.8).
      if (p.origin !== "claude" || !p.signature) return undefined;
      return p.redacted
        ? { type: "redacted_thinking", data: p.signature }
        : { type: "thinking", thinking: p.text, signature: p.signature };
    case "tool_call":
      return {
        type: "tool_use",
        id: claudeToolId(p.id),
        name: p.name,
        input: toolArgumentsObject(p.arguments),
      };
    case "tool_result": {
      const content = p.content.map(encodePart).filter((c): c is Json => c !== undefined);
      return {
        type: "tool_result",
        tool_use_id: claudeToolId(p.callId),
        content: content.length ? content : "",
        ...(p.isError ? { is_error: true } : {}),
        ...cc(p.cacheControl),
      };
    }
  }
}

interface Turn {
  role: "user" | "assistant";
  content: Json[];
}

/** Merges same-role turns and puts tool results first in each user turn (§5.2). */
function encodeTurns(messages: IrMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const content = m.content.map(encodePart).filter((b): b is Json => b !== undefined);
    if (!content.length) continue;
    const last = turns.at(-1);
    if (last?.role === m.role) last.content.push(...content);
    else turns.push({ role: m.role, content });
  }
  for (const t of turns) {
    if (t.role === "user" && t.content.some((b) => b.type === "tool_result")) {
      t.content = [
        ...t.content.filter((b) => b.type === "tool_result"),
        ...t.content.filter((b) => b.type !== "tool_result"),
      ];
    }
  }
  return turns;
}

/** In an active tool loop Claude wants the last assistant turn to open with its signed thinking (§3.3). */
function toolLoopLacksSignedThinking(turns: Turn[]): boolean {
  const last = turns.at(-1);
  const prev = turns.at(-2);
  if (last?.role !== "user" || !last.content.some((b) => b.type === "tool_result")) return false;
  if (prev?.role !== "assistant") return false;
  const first = prev.content[0]?.type;
  return first !== "thinking" && first !== "redacted_thinking";
}

function claudeEffort(e: IrEffort | undefined): string | undefined {
  return e === "minimal" ? "low" : e;
}

function defaultMaxTokens(model: string): number {
  return /claude-3-(haiku|opus|sonnet)-/.test(model) ? 4096 : 8192;
}

function applyThinking(ir: IrRequest, r: IrReasoningConfig, body: Json, outputConfig: Json): void {
  const adaptiveOnly = isClaudeAdaptiveOnly(ir.model);
  if (adaptiveOnly || (r.adaptive && !r.budgetTokens)) {
    body.thinking = { type: "adaptive" };
    const effort = claudeEffort(r.effort);
    if (effort) outputConfig.effort = effort;
  } else {
    let maxTokens = body.max_tokens as number;
    if (maxTokens < 1280) maxTokens = body.max_tokens = 1280;
    const wanted = r.budgetTokens ?? claudeBudgetForEffort(r.effort ?? "medium");
    body.thinking = { type: "enabled", budget_tokens: Math.max(1024, Math.min(wanted, maxTokens - 1)) };
  }
  // Extended thinking takes temperature 1 only and top_p ≥ 0.95, and no top_k.
  if (body.temperature !== 1) delete body.temperature;
  if (typeof body.top_p === "number" && body.top_p < 0.95) delete body.top_p;
  delete body.top_k;
}

export function encodeClaudeRequest(ir: IrRequest): Record<string, unknown> {
  refuseStoredState(ir);
  const messages = answerOrphanedCalls(ir.messages);
  const system = messages.filter((m) => m.role === "system").flatMap((m) =>
    m.content.flatMap((
      p,
    ) => (p.type === "text" && p.text ? [{ type: "text", text: p.text, ...cc(p.cacheControl) }] : []))
  );
  const turns = encodeTurns(messages);
  const body: Json = {
    model: ir.model,
    max_tokens: ir.maxTokens ?? defaultMaxTokens(ir.model),
    messages: turns,
  };
  if (system.length) body.system = system;
  if (ir.stream) body.stream = true;
  if (ir.stop?.length) body.stop_sequences = ir.stop;
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.top_p = ir.topP;
  if (ir.topK !== undefined) body.top_k = ir.topK;
  if (isClaudeAdaptiveOnly(ir.model)) {
    // The newest models reject non-default sampling parameters (§5.15).
    if (body.temperature !== 1) delete body.temperature;
    if (typeof body.top_p === "number" && body.top_p < 0.99) delete body.top_p;
    delete body.top_k;
  }
  if (ir.tools?.length) {
    body.tools = ir.tools.map((t) => ({
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      input_schema: t.parameters ?? { type: "object", properties: {} },
      ...(t.strict !== undefined ? { strict: t.strict } : {}),
      ...cc(t.cacheControl),
    }));
  }
  const tc = ir.toolChoice;
  const noParallel = ir.parallelToolCalls === false && ir.tools?.length
    ? { disable_parallel_tool_use: true }
    : {};
  if (tc) {
    body.tool_choice = tc.type === "required"
      ? { type: "any", ...noParallel }
      : tc.type === "tool"
      ? { type: "tool", name: tc.name, ...noParallel }
      : tc.type === "none"
      ? { type: "none" }
      : { type: "auto", ...noParallel };
  } else if (noParallel.disable_parallel_tool_use) body.tool_choice = { type: "auto", ...noParallel };
  const outputConfig: Json = {};
  const r = ir.reasoning;
  const forcedTool = tc?.type === "required" || tc?.type === "tool";
  // Thinking is skipped rather than failing the request when Claude would refuse it (§5.8, §5.18).
  if (r?.enabled && !forcedTool && !toolLoopLacksSignedThinking(turns)) {
    applyThinking(ir, r, body, outputConfig);
  } else if (r && !r.enabled) body.thinking = { type: "disabled" };
  if (ir.responseFormat?.type === "json_schema") {
    outputConfig.format = { type: "json_schema", schema: ir.responseFormat.schema };
  }
  if (Object.keys(outputConfig).length) body.output_config = outputConfig;
  if (ir.user) body.metadata = { user_id: ir.user };
  if (ir.cacheControl) Object.assign(body, cc(ir.cacheControl));
  return body;
}
