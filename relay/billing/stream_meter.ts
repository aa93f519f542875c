/**
 * Counts the completion a client has received, incrementally and in bounded memory: text is tokenized
 * in segments cut just before a space or tab that follows a non-space (always a boundary of o200k's
 * pre-tokenizer; newlines are not, since punctuation absorbs them), so the count equals tokenizing the
 * whole text without ever holding it. Feed it only what reached the
 * client as answer content (text, reasoning, tool-call arguments), never error text.
 */
import { type CountTokens, lastCut, MAX_SEGMENT } from "./estimate.ts";

/** New API's allowance per streamed tool call (name and framing) when usage must be estimated. */
export const TOKENS_PER_TOOL_CALL = 7;

export class StreamMeter {
  #counted = 0;
  #pending = "";
  #toolCalls = 0;
  #chars = 0;

  constructor(private readonly count: CountTokens) {}

  /**
   * Adds a delta of content that was delivered to the client. Text is tokenized only once more than a
   * segment is pending (most streams end with usage from the upstream and never need the count), so a
   * stream of small deltas costs a few tokenizer calls instead of one per delta.
   */
  add(text: string): void {
    if (!text) return;
    this.#chars += text.length;
    let pending = this.#pending + text;
    while (pending.length > MAX_SEGMENT) {
      const c = lastCut(pending, 0, MAX_SEGMENT);
      const end = c > 0 ? c : MAX_SEGMENT;
      this.#counted += this.count(pending.slice(0, end));
      pending = pending.slice(end);
    }
    this.#pending = pending;
  }

  /** Records one tool call delivered (its arguments go through `add`). */
  addToolCall(): void {
    this.#toolCalls++;
  }

  /** Completion tokens delivered so far. */
  get tokens(): number {
    return this.#counted + this.count(this.#pending) + this.#toolCalls * TOKENS_PER_TOOL_CALL;
  }

  /**
   * A cheap upper bound of `tokens`, with no tokenizer call: a token is at least one UTF-8 byte and a
   * UTF-16 unit is at most three.
   */
  get maxTokens(): number {
    return 3 * this.#chars + this.#toolCalls * TOKENS_PER_TOOL_CALL;
  }

  /** UTF-16 units of answer content delivered so far. */
  get chars(): number {
    return this.#chars;
  }

  /** Whether any answer content reached the client. */
  get delivered(): boolean {
    return this.#chars > 0 || this.#toolCalls > 0;
  }
}
