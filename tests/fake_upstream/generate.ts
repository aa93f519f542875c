/**
 * The dialect-neutral answer of the fake upstream: text pieces, reasoning pieces, tool calls, finish and
 * usage. Each dialect module normalises its request into `GenerateInput` and renders `Generated` in its
 * own wire format, so the same question gets the same words in every dialect.
 */

import { countTokens, hashText, hexId, replyWords, valueForSchema, wordPieces } from "./content.ts";

export interface ToolSpec {
  name: string;
  schema: unknown;
}

export interface GenerateInput {
  /** Text of the last user turn (echoed at the start of the answer). */
  prompt: string;
  /** Tokens of the whole request (all its text), the "real" prompt usage. */
  promptTokens: number;
  tools: ToolSpec[];
  /** Tool choice forbids calls (`none`). */
  toolChoiceNone: boolean;
  /** The last turn carries tool results: answer in text. */
  lastIsToolResult: boolean;
  reasoning: boolean;
  maxTokens?: number;
  chunks: number;
  directives: Map<string, string>;
}

export interface GeneratedCall {
  index: number;
  id: string;
  name: string;
  args: Record<string, unknown>;
  argsJson: string;
}

export interface Generated {
  seed: number;
  hex: string;
  reasoningPieces: string[];
  reasoningText: string;
  textPieces: string[];
  text: string;
  toolCalls: GeneratedCall[];
  finish: "stop" | "length" | "tool_calls";
  usage: { input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number };
}

export function generate(input: GenerateInput): Generated {
  const toolNames = input.tools.map((t) => t.name).join(",");
  const seed = hashText(`${input.prompt}|${toolNames}|${input.lastIsToolResult ? "results" : "ask"}`);
  const hex = hexId(seed, 24);
  const wantReasoning = input.reasoning || input.directives.has("reasoning");
  const reasoningWords = wantReasoning ? replyWords("", seed ^ 0x5eed, 6) : [];
  const reasoningPieces = wordPieces(reasoningWords);

  const callsWanted = input.directives.has("calls") ? Number(input.directives.get("calls")) : 1;
  const toolCalls: GeneratedCall[] = [];
  if (input.tools.length > 0 && !input.toolChoiceNone && !input.lastIsToolResult && callsWanted > 0) {
    for (let i = 0; i < callsWanted; i++) {
      const tool = input.tools[i % input.tools.length];
      const args = valueForSchema(tool.schema ?? { type: "object" }, tool.name, seed + i) as Record<
        string,
        unknown
      >;
      const argsObject = args && typeof args === "object" && !Array.isArray(args) ? args : {};
      toolCalls.push({
        index: i,
        id: hexId(seed + 101 * (i + 1), 24),
        name: tool.name,
        args: argsObject,
        argsJson: JSON.stringify(argsObject),
      });
    }
  }

  let textWords: string[] = [];
  let finish: Generated["finish"] = "stop";
  if (toolCalls.length > 0) {
    finish = "tool_calls";
  } else {
    textWords = replyWords(input.prompt, seed, Math.max(1, input.chunks));
    if (input.maxTokens !== undefined && input.maxTokens > 0 && textWords.length > input.maxTokens) {
      textWords = textWords.slice(0, input.maxTokens);
      finish = "length";
    }
  }
  const textPieces = wordPieces(textWords);
  const callTokens = toolCalls.reduce((n, c) => n + countTokens(c.name) + countTokens(c.argsJson), 0);
  const cacheRead = Math.min(Number(input.directives.get("cache_read") ?? 0), input.promptTokens);
  const cacheWrite = Math.min(
    Number(input.directives.get("cache_write") ?? 0),
    input.promptTokens - cacheRead,
  );
  return {
    seed,
    hex,
    reasoningPieces,
    reasoningText: reasoningPieces.join(""),
    textPieces,
    text: textPieces.join(""),
    toolCalls,
    finish,
    usage: {
      input: input.promptTokens,
      cacheRead,
      cacheWrite,
      output: textWords.length + reasoningWords.length + callTokens,
      reasoning: reasoningWords.length,
    },
  };
}

/** Fixed creation time, so answers compare equal byte for byte across runs. */
export const FAKE_CREATED = 1760000000;
