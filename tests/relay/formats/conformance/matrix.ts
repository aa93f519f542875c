/**
 * Shared pieces of the conformance matrix: the dialects and cases, fixture loading, golden files
 * (`UPDATE_GOLDEN=1` rewrites them; review the diff before committing), and dialect-neutral summaries
 * that say what a request or answer *means*, so translation can be checked independently of the goldens.
 */
import type { SseEvent } from "../../../../relay/sse/event.ts";
import { effectiveFinish } from "../../../../relay/formats/finish.ts";
import {
  type Dialect,
  type IrFinishReason,
  type IrPart,
  type IrRequest,
  type IrResponse,
  type IrUsage,
  promptTokens,
} from "../../../../relay/formats/ir.ts";
import { unwrapReasoningSignature, unwrapToolCallId } from "../../../../relay/formats/signature.ts";
import { CODECS } from "../../../../relay/formats/translate.ts";
import { assertEquals } from "../../../support/assert.ts";
import { readSseFixture } from "../../../support/sse_fixture.ts";

export const DIALECTS: Dialect[] = ["openai_chat", "openai_responses", "claude", "gemini"];
export const REQUEST_CASES = ["text", "system", "tool_result", "parallel_tools", "image", "thinking"];
export const ANSWER_CASES = ["text", "tool_result", "parallel_tools", "thinking"];

/** Gemini keeps model and streaming in the URL. */
export const GEMINI_CTX = { model: "gemini-2.5-flash", stream: false };
/** Fixed clock and usage chunk so outputs are deterministic. */
export const ENCODE_OPTS = { created: 1760000000, includeUsage: true };

const ROOT = new URL("../../../fixtures/formats/", import.meta.url);
export const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

export function fixtureJson(dialect: Dialect, name: string): unknown {
  return JSON.parse(Deno.readTextFileSync(new URL(`${dialect}/${name}.json`, ROOT)));
}

export function fixtureStream(dialect: Dialect, name: string): SseEvent[] {
  return readSseFixture(new URL(`${dialect}/${name}.stream.sse`, ROOT).pathname);
}

/** A JSON golden holding one entry per "from>to" pair. */
export class JsonGolden {
  private url: URL;
  private stored: Record<string, unknown>;
  private fresh: Record<string, unknown> = {};

  constructor(name: string) {
    this.url = new URL(`golden/${name}.json`, ROOT);
    try {
      this.stored = JSON.parse(Deno.readTextFileSync(this.url));
    } catch {
      this.stored = {};
    }
  }

  check(key: string, actual: unknown): void {
    this.fresh[key] = actual;
    if (!UPDATE) {
      assertEquals(actual, this.stored[key], `golden ${this.url.pathname.split("/").pop()} ${key}`);
    }
  }

  save(): void {
    if (UPDATE) Deno.writeTextFileSync(this.url, JSON.stringify(this.fresh, null, 2) + "\n");
  }
}

/** An SSE golden file per pair, readable as a transcript. */
export function checkSseGolden(name: string, actual: string): void {
  const url = new URL(`golden/${name}.sse`, ROOT);
  if (UPDATE) {
    Deno.mkdirSync(new URL(".", url), { recursive: true });
    Deno.writeTextFileSync(url, actual);
    return;
  }
  assertEquals(actual, Deno.readTextFileSync(url), `golden ${name}.sse`);
}

// ---- request meaning ------------------------------------------------------------------------------

function partText(parts: IrPart[]): string {
  return parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
}

function media(p: IrPart): string[] {
  if (p.type !== "image" && p.type !== "file") return [];
  const s = p.source;
  return [
    s.kind === "base64"
      ? `base64:${s.mediaType}:${s.data}`
      : s.kind === "url"
      ? `url:${s.url}`
      : `file:${s.fileId}`,
  ];
}

/** Whether a reasoning part can be replayed to `upstream` (the encoders' rule, §5.8). */
function survives(p: IrPart & { type: "reasoning" }, upstream: Dialect): boolean {
  if (upstream === "openai_chat") return p.origin === undefined || p.origin === "openai_chat";
  if (p.origin !== upstream) return false;
  if (upstream === "claude") return !!p.signature;
  if (upstream === "openai_responses") return !!p.signature && !!p.id;
  return true;
}

/** What a request means to a model, in terms every dialect can carry to `upstream`. */
export function requestMeaning(ir: IrRequest, upstream: Dialect, keepIds: boolean) {
  const callIds = new Map<string, string>();
  const turns = ir.messages.filter((m) => m.role !== "system").map((m) => ({
    role: m.role,
    text: partText(m.content),
    media: m.content.flatMap(media),
    reasoning: m.content.flatMap((p) =>
      p.type === "reasoning" && survives(p, upstream) ? [`${p.text}|${p.signature ?? ""}`] : []
    ),
    calls: m.content.flatMap((p) => {
      if (p.type !== "tool_call") return [];
      // Gemini drops call ids; results must still point at their call.
      callIds.set(p.id, keepIds ? p.id : `#${callIds.size}`);
      const sig = p.origin === upstream && upstream === "gemini" ? p.signature : undefined;
      return [{ id: callIds.get(p.id), name: p.name, args: JSON.parse(p.arguments || "{}"), sig }];
    }),
    results: m.content.flatMap((p) =>
      p.type === "tool_result" ? [{ call: callIds.get(p.callId) ?? p.callId, text: partText(p.content) }] : []
    ),
  }));
  return {
    // One system slot holds blocks (Claude, Gemini) or one string (Chat, `instructions`): blocks join with
    // a blank line, in order.
    system: ir.messages.flatMap((m) =>
      m.role === "system" ? m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])) : []
    )
      .join("\n\n"),
    turns,
    tools: (ir.tools ?? []).map((t) => t.name),
    toolChoice: ir.toolChoice?.type,
    maxTokens: ir.maxTokens,
    temperature: ir.temperature,
  };
}

// ---- answer meaning -------------------------------------------------------------------------------

export interface AnswerMeaning {
  text: string;
  reasoning: string;
  calls: { id: string; name: string; args: unknown; sig?: string }[];
  signatures: string[];
  finish: IrFinishReason;
  usage?: { prompt: number; output: number; cacheRead: number; reasoning: number };
}

function usageMeaning(u: IrUsage | undefined) {
  return u &&
    {
      prompt: promptTokens(u),
      output: u.outputTokens,
      cacheRead: u.cacheReadTokens,
      reasoning: u.reasoningTokens,
    };
}

/** Meaning of an answer decoded from `dialect`; `clientSide` unwraps the envelopes a client would echo. */
export function answerMeaning(ir: IrResponse, dialect: Dialect, clientSide: boolean): AnswerMeaning {
  const calls: AnswerMeaning["calls"] = [];
  const signatures: string[] = [];
  let text = "";
  let reasoning = "";
  for (const p of ir.content) {
    if (p.type === "text") text += p.text;
    if (p.type === "reasoning") {
      reasoning += p.text;
      if (p.signature) {
        const s = clientSide
          ? unwrapReasoningSignature(dialect, p.signature, p.id)
          : { origin: p.origin, signature: p.signature, redacted: p.redacted };
        const redacted = s.redacted || p.redacted ? "redacted:" : "";
        if (s.signature) signatures.push(`${redacted}${s.origin}:${s.signature}`);
      }
    }
    if (p.type === "tool_call") {
      const id = clientSide ? unwrapToolCallId(p.id) : { id: p.id, signature: p.signature };
      calls.push({
        id: id.id,
        name: p.name,
        args: JSON.parse(p.arguments || "{}"),
        sig: id.signature ?? p.signature,
      });
    }
  }
  return {
    text,
    reasoning,
    calls,
    signatures,
    finish: effectiveFinish(ir.finishReason, calls.length > 0),
    usage: usageMeaning(ir.usage),
  };
}

/** Collects a decoded event stream into an IR answer (the way a client accumulates it). */
export function collectStream(
  dialect: Dialect,
  events: SseEvent[],
): { ir: IrResponse; ended: boolean; errors: number } {
  const codec = CODECS[dialect];
  const state = codec.newStreamDecoder();
  const ir: IrResponse = { id: "", model: "", content: [], finishReason: "stop" };
  let ended = false;
  let errors = 0;
  const calls = new Map<
    number,
    { type: "tool_call"; id: string; name: string; arguments: string; signature?: string }
  >();
  for (const ev of events.flatMap((e) => codec.decodeStreamEvent(state, e))) {
    const last = ir.content.at(-1);
    switch (ev.type) {
      case "text":
        if (last?.type === "text") last.text += ev.text;
        else ir.content.push({ type: "text", text: ev.text });
        break;
      case "reasoning":
        if (last?.type === "reasoning" && !last.signature) last.text += ev.text;
        else ir.content.push({ type: "reasoning", text: ev.text });
        break;
      case "reasoning_signature":
        if (last?.type === "reasoning" && !last.signature) {
          Object.assign(last, { signature: ev.signature, id: ev.id, origin: ev.origin });
        } else {ir.content.push({
            type: "reasoning",
            text: "",
            signature: ev.signature,
            id: ev.id,
            origin: ev.origin,
          });}
        break;
      case "redacted_reasoning":
        ir.content.push({
          type: "reasoning",
          text: "",
          redacted: true,
          signature: ev.data,
          origin: ev.origin,
        });
        break;
      case "tool_call_start": {
        const call = {
          type: "tool_call" as const,
          id: ev.id,
          name: ev.name,
          arguments: "",
          signature: ev.signature,
        };
        calls.set(ev.index, call);
        ir.content.push(call);
        break;
      }
      case "tool_call_delta":
        calls.get(ev.index)!.arguments += ev.arguments;
        break;
      case "usage":
        ir.usage = ev.usage;
        break;
      case "finish":
        ir.finishReason = ev.reason;
        break;
      case "end":
        ended = true;
        break;
      case "error":
        errors++;
        break;
    }
  }
  return { ir, ended, errors };
}
