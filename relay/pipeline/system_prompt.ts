/**
 * A channel's system prompt, New API's rule, on the IR so it works for every dialect: prepended as a
 * system message when the request has none; with `system_prompt_override`, put in front of the request's
 * first system message; otherwise the request's own system prompt wins.
 */
import type { IrRequest } from "../formats/ir.ts";

export function withChannelSystemPrompt(ir: IrRequest, prompt: string, override: boolean): IrRequest {
  if (!prompt) return ir;
  const i = ir.messages.findIndex((m) => m.role === "system");
  if (i < 0) {
    return {
      ...ir,
      messages: [{ role: "system", content: [{ type: "text", text: prompt }] }, ...ir.messages],
    };
  }
  if (!override) return ir;
  const messages = [...ir.messages];
  const first = messages[i];
  const [head, ...rest] = first.content;
  messages[i] = {
    ...first,
    content: head?.type === "text"
      ? [{ ...head, text: `${prompt}\n${head.text}` }, ...rest]
      : [{ type: "text", text: prompt }, ...first.content],
  };
  return { ...ir, messages };
}
