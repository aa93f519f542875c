/**
 * Untrusted bodies: wrong types, missing required fields, empty messages. Each dialect answers with a 400
 * RelayError whose message names the field, rendered in its own error shape, never a raw throw.
 */
import { RelayError, renderError } from "../../../relay/formats/errors.ts";
import type { Dialect } from "../../../relay/formats/ir.ts";
import { CODECS } from "../../../relay/formats/translate.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const CASES: Record<Dialect, [string, unknown, string][]> = {
  openai_chat: [
    ["not an object", [1, 2], "request body must be a JSON object"],
    [
      "no model",
      { messages: [{ role: "user", content: "hi" }] },
      "model: Invalid input: expected string, received undefined",
    ],
    ["empty messages", { model: "m", messages: [] }, "messages: must contain at least one message"],
    [
      "messages not an array",
      { model: "m", messages: "hi" },
      "messages: Invalid input: expected array, received string",
    ],
    [
      "unknown role",
      { model: "m", messages: [{ role: "robot", content: "x" }] },
      "messages[0].role: expected role system, developer, user, assistant or tool",
    ],
    [
      "content is a number",
      { model: "m", messages: [{ role: "user", content: 5 }] },
      "messages[0].content: expected a string or an array of content parts",
    ],
    [
      "bad part",
      { model: "m", messages: [{ role: "user", content: [{ type: "video" }] }] },
      "messages[0].content[0].type: expected a content part of type text, image_url, input_audio or file",
    ],
    [
      "tool without id",
      { model: "m", messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id: Invalid input: expected string, received undefined",
    ],
    [
      "temperature as text",
      { model: "m", messages: [{ role: "user", content: "x" }], temperature: "hot" },
      "temperature: Invalid input: expected number, received string",
    ],
    [
      "bad tool_choice",
      { model: "m", messages: [{ role: "user", content: "x" }], tool_choice: "always" },
      'tool_choice: expected "none", "auto", "required" or {"type":"function","function":{"name":…}}',
    ],
  ],
  openai_responses: [
    ["no input", { model: "m" }, "input: expected a string or an array of input items"],
    ["empty input", { model: "m", input: [] }, "input: must contain at least one item"],
    [
      "call without call_id",
      { model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] },
      "input[0].call_id: Invalid input: expected string, received undefined",
    ],
    [
      "bad role",
      { model: "m", input: [{ role: "robot", content: "x" }] },
      "input[0].role: expected role user, assistant, system or developer",
    ],
    [
      "item_reference",
      { model: "m", input: [{ type: "item_reference", id: "msg_1" }] },
      "item_reference needs a stored response, which this model's upstream cannot resolve",
    ],
  ],
  claude: [
    [
      "no max_tokens",
      { model: "m", messages: [{ role: "user", content: "hi" }] },
      "max_tokens: Invalid input: expected number, received undefined",
    ],
    [
      "empty messages",
      { model: "m", max_tokens: 5, messages: [] },
      "messages: must contain at least one message",
    ],
    [
      "system role in messages",
      { model: "m", max_tokens: 5, messages: [{ role: "system", content: "x" }] },
      "messages[0].role: expected role user or assistant",
    ],
    ["text block without text", {
      model: "m",
      max_tokens: 5,
      messages: [{ role: "user", content: [{ type: "text" }] }],
    }, "messages[0].content[0].text: Invalid input: expected string, received undefined"],
    ["tool_result without id", {
      model: "m",
      max_tokens: 5,
      messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }],
    }, "messages[0].content[0].tool_use_id: Invalid input: expected string, received undefined"],
    [
      "system as number",
      { model: "m", max_tokens: 5, system: 3, messages: [{ role: "user", content: "x" }] },
      "system: expected a string or an array of text blocks",
    ],
  ],
  gemini: [
    ["no contents", { generationConfig: {} }, "contents: Invalid input: expected array, received undefined"],
    ["empty contents", { contents: [] }, "contents: must contain at least one content"],
    [
      "bad role",
      { contents: [{ role: "assistant", parts: [{ text: "x" }] }] },
      "contents[0].role: expected role user or model",
    ],
    [
      "call without name",
      { contents: [{ role: "model", parts: [{ functionCall: { args: {} } }] }] },
      "contents[0].parts[0].functionCall.name: Invalid input: expected string, received undefined",
    ],
    [
      "negative max",
      { contents: [{ parts: [{ text: "x" }] }], generationConfig: { maxOutputTokens: -1 } },
      "generationConfig.maxOutputTokens: Too small: expected number to be >=0",
    ],
  ],
};

for (const [dialect, cases] of Object.entries(CASES) as [Dialect, [string, unknown, string][]][]) {
  Deno.test(`malformed ${dialect} bodies get a clear 400 in the ${dialect} error shape`, () => {
    for (const [name, body, message] of cases) {
      let err: unknown;
      try {
        CODECS[dialect].decodeRequest(body, { model: "gemini-2.5-flash" });
      } catch (e) {
        err = e;
      }
      assert(err instanceof RelayError, `${name}: expected a RelayError, got ${err}`);
      assertEquals([err.status, err.message], [400, message], name);
      const rendered = renderError(dialect, err);
      assertEquals(rendered.status, 400);
      const text = JSON.stringify(rendered.body);
      assert(text.includes(JSON.stringify(message).slice(1, -1)), `${name}: rendered message`);
    }
  });
}

Deno.test("gemini requests need the model from the path", () => {
  try {
    CODECS.gemini.decodeRequest({ contents: [{ parts: [{ text: "x" }] }] }, {});
    throw new Error("no error");
  } catch (e) {
    assert(e instanceof RelayError);
    assertEquals(e.message, "model is required in the URL path (models/{model}:generateContent)");
  }
});

Deno.test("unknown content block kinds are skipped, not fatal (server tools, new kinds)", () => {
  const ir = CODECS.claude.decodeRequest({
    model: "m",
    max_tokens: 5,
    messages: [{
      role: "user",
      content: [{ type: "web_search_tool_result", tool_use_id: "s" }, { type: "text", text: "hi" }],
    }],
  });
  assertEquals(ir.messages[0].content, [{ type: "text", text: "hi" }]);
});
