/** Regression tests for the request-side translation pitfalls of wire-formats.md §5, named after each. */
import { RelayError } from "../../../relay/formats/errors.ts";
import type { Dialect, IrRequest } from "../../../relay/formats/ir.ts";
import { MISSING_RESULT_TEXT } from "../../../relay/formats/tool_pairing.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { assert, assertEquals, assertThrows } from "../../support/assert.ts";
import { fixtureJson, GEMINI_CTX } from "./conformance/matrix.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function via(from: Dialect, to: Dialect, body: unknown, patch: Partial<IrRequest> = {}): Json {
  const tr = translation(from, to, { forceTranslate: true });
  return tr.encodeRequest({ ...tr.decodeRequest(body, GEMINI_CTX), ...patch }) as Json;
}

const chat = (messages: unknown[], extra: Json = {}) => ({ model: "gpt-4.1", messages, ...extra });

Deno.test("system_prompt_hoisted_in_order_keeping_cache_control (§5.1)", () => {
  const body = via("openai_chat", "claude", fixtureJson("openai_chat", "system.request"));
  assertEquals(body.system, [{ type: "text", text: "Answer briefly." }, {
    type: "text",
    text: "Use metric units.",
  }]);
  assert(body.messages.every((m: Json) => m.role !== "system"));
  const kept = via("claude", "claude", fixtureJson("claude", "system.request"));
  assertEquals(kept.system[0].cache_control, { type: "ephemeral" });
  const gem = via("openai_chat", "gemini", fixtureJson("openai_chat", "system.request"));
  assertEquals(gem.systemInstruction, {
    parts: [{ text: "Answer briefly." }, { text: "Use metric units." }],
  });
  const resp = via("claude", "openai_responses", fixtureJson("claude", "system.request"));
  assertEquals(
    resp.instructions,
    "Answer briefly.\n\nUse metric units.",
    "re-sent as instructions on every call",
  );
});

Deno.test("claude_tool_result_role_mapping: tool messages and the next user text fold into one turn (§5.2)", () => {
  const body = via("openai_chat", "claude", fixtureJson("openai_chat", "parallel_tools.request"));
  assertEquals(body.messages.map((m: Json) => m.role), ["user", "assistant", "user"]);
  assertEquals(body.messages[2].content.map((b: Json) => b.type), ["tool_result", "tool_result", "text"]);
  const gem = via("openai_chat", "gemini", fixtureJson("openai_chat", "parallel_tools.request"));
  assertEquals(gem.contents.map((c: Json) => c.role), ["user", "model", "user"]);
});

Deno.test("claude_tool_results_come_first_even_when_the_client_put_text_first (§5.2)", () => {
  const body = via("openai_responses", "claude", {
    model: "m",
    input: [
      { role: "user", content: "q" },
      { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "r" },
    ],
  });
  assertEquals(body.messages[2].content[0].type, "tool_result");
});

Deno.test("orphaned_tool_call_gets_a_synthetic_error_result (§5.3)", () => {
  const orphan = chat([
    { role: "user", content: "q" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
        { id: "c2", type: "function", function: { name: "g", arguments: "{}" } },
      ],
    },
    { role: "tool", tool_call_id: "c1", content: "ok" },
    { role: "user", content: "go on" },
  ]);
  const claude = via("openai_chat", "claude", orphan);
  assertEquals(claude.messages[2].content.map((b: Json) => [b.type, b.tool_use_id, b.is_error]), [
    ["tool_result", "c1", undefined],
    ["tool_result", "c2", true],
    ["text", undefined, undefined],
  ]);
  const openai = via("openai_chat", "openai_chat", orphan);
  assertEquals(
    openai.messages.filter((m: Json) => m.role === "tool").map((m: Json) => [m.tool_call_id, m.content]),
    [
      ["c1", "ok"],
      ["c2", MISSING_RESULT_TEXT],
    ],
  );
  const gemini = via("openai_chat", "gemini", orphan);
  assertEquals(gemini.contents[2].parts.map((p: Json) => p.functionResponse?.name), ["f", "g", undefined]);
});

Deno.test("call_ids_pass_through, are minted for id-less Gemini calls and made legal for Claude (§5.4)", () => {
  const fromGemini = via("gemini", "openai_chat", fixtureJson("gemini", "parallel_tools.request"));
  const ids = fromGemini.messages[1].tool_calls.map((c: Json) => c.id);
  assertEquals(new Set(ids).size, 2);
  assertEquals(
    fromGemini.messages.filter((m: Json) => m.role === "tool").map((m: Json) => m.tool_call_id),
    ids,
  );
  const kimi = via(
    "openai_chat",
    "claude",
    chat([
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "functions.f:0", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "functions.f:0", content: "r" },
    ]),
  );
  assertEquals(kimi.messages[1].content[0].id, "functions_f_0");
  assertEquals(kimi.messages[2].content[0].tool_use_id, "functions_f_0");
  const toGemini = via("openai_chat", "gemini", fixtureJson("openai_chat", "tool_result.request"));
  assert(
    !JSON.stringify(toGemini).includes("call_A1"),
    "Gemini gets no ids: results match by name and order",
  );
});

Deno.test("parallel_tool_calls_false_maps_to_disable_parallel_tool_use (§5.5)", () => {
  const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
  const body = via(
    "openai_chat",
    "claude",
    chat([{ role: "user", content: "q" }], { tools, parallel_tool_calls: false }),
  );
  assertEquals(body.tool_choice, { type: "auto", disable_parallel_tool_use: true });
  const back = via("claude", "openai_chat", {
    model: "m",
    max_tokens: 10,
    messages: [{ role: "user", content: "q" }],
    tools: [{ name: "f", input_schema: { type: "object" } }],
    tool_choice: { type: "any", disable_parallel_tool_use: true },
  });
  assertEquals([back.tool_choice, back.parallel_tool_calls], ["required", false]);
});

Deno.test("reasoning_controls_map_by_model_family (§5.13)", () => {
  const ask = (effort: string) =>
    chat([{ role: "user", content: "q" }], { reasoning_effort: effort, max_tokens: 8000 });
  assertEquals(via("openai_chat", "claude", ask("low"), { model: "claude-sonnet-4-5" }).thinking, {
    type: "enabled",
    budget_tokens: 1280,
  });
  const adaptive = via("openai_chat", "claude", ask("high"), { model: "claude-opus-4-7" });
  assertEquals([adaptive.thinking, adaptive.output_config], [{ type: "adaptive" }, { effort: "high" }]);
  assertEquals(via("openai_chat", "claude", ask("none"), { model: "claude-sonnet-4-5" }).thinking, {
    type: "disabled",
  });
  const g25 = via("openai_chat", "gemini", ask("medium"), { model: "gemini-2.5-flash" });
  assertEquals(g25.generationConfig.thinkingConfig, { thinkingBudget: 12288, includeThoughts: true });
  const g3 = via("openai_chat", "gemini", ask("low"), { model: "gemini-3-pro-preview" });
  assertEquals(g3.generationConfig.thinkingConfig, { thinkingLevel: "low", includeThoughts: true });
  assertEquals(
    via("openai_chat", "gemini", ask("none"), { model: "gemini-2.5-flash" }).generationConfig.thinkingConfig,
    {
      thinkingBudget: 0,
    },
  );
  const budget = via("claude", "openai_responses", {
    model: "m",
    max_tokens: 20000,
    thinking: { type: "enabled", budget_tokens: 16000 },
    messages: [{ role: "user", content: "q" }],
  });
  assertEquals(budget.reasoning, { effort: "high", summary: "auto" });
  const claudeCode = {
    model: "m",
    max_tokens: 9000,
    thinking: { type: "enabled", budget_tokens: 4000 },
    messages: [{ role: "user", content: "q" }],
  };
  assertEquals(
    via("claude", "openai_chat", claudeCode, { model: "gpt-4.1" }).reasoning_effort,
    undefined,
    "gpt-4.1 rejects it",
  );
  assertEquals(via("claude", "openai_responses", claudeCode, { model: "gpt-4o" }).reasoning, undefined);
  assertEquals(
    via("claude", "openai_chat", claudeCode, { model: "deepseek-v4-flash" }).reasoning_effort,
    "high",
  );
  const clamped = via(
    "openai_chat",
    "claude",
    chat([{ role: "user", content: "q" }], { reasoning_effort: "high", max_tokens: 1000 }),
    {
      model: "claude-sonnet-4-5",
    },
  );
  assertEquals(
    [clamped.max_tokens, clamped.thinking.budget_tokens],
    [1280, 1279],
    "1024 ≤ budget < max_tokens",
  );
});

Deno.test("required_and_forbidden_parameters_follow_the_target (§5.15)", () => {
  const noMax = via(
    "openai_chat",
    "claude",
    chat([{ role: "user", content: "q" }], { temperature: 0.3, top_p: 0.5 }),
  );
  assertEquals(noMax.max_tokens, 8192, "Claude requires max_tokens");
  assertEquals(
    via("openai_chat", "claude", chat([{ role: "user", content: "q" }]), { model: "claude-3-haiku-20240307" })
      .max_tokens,
    4096,
  );
  const tiny = via(
    "openai_chat",
    "openai_responses",
    chat([{ role: "user", content: "q" }], { max_tokens: 5 }),
  );
  assertEquals(tiny.max_output_tokens, 16);
  const o3 = via(
    "openai_chat",
    "openai_chat",
    chat([{ role: "system", content: "s" }, { role: "user", content: "q" }], { max_tokens: 50 }),
    {
      model: "o3-mini",
    },
  );
  assertEquals([o3.max_completion_tokens, o3.max_tokens, o3.messages[0].role], [50, undefined, "developer"]);
  const thinking = via(
    "openai_chat",
    "claude",
    chat([{ role: "user", content: "q" }], {
      reasoning_effort: "low",
      temperature: 0.3,
      top_p: 0.5,
      top_k: 5,
    }),
    { model: "claude-sonnet-4-5" },
  );
  assertEquals([thinking.temperature, thinking.top_p, thinking.top_k], [undefined, undefined, undefined]);
  const newest = via("openai_chat", "claude", chat([{ role: "user", content: "q" }], { temperature: 0.3 }), {
    model: "claude-opus-4-7",
  });
  assertEquals(newest.temperature, undefined);
});

Deno.test("schemas_reshape_nested_and_flat (§5.16)", () => {
  const rf = {
    type: "json_schema",
    json_schema: { name: "answer", schema: { type: "object" }, strict: true },
  };
  const body = chat([{ role: "user", content: "q" }], { response_format: rf });
  assertEquals(via("openai_chat", "openai_responses", body).text, {
    format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true },
  });
  const gem = via("openai_chat", "gemini", body).generationConfig;
  assertEquals([gem.responseMimeType, gem.responseJsonSchema], ["application/json", { type: "object" }]);
  assertEquals(via("openai_chat", "claude", body).output_config, {
    format: { type: "json_schema", schema: { type: "object" } },
  });
  const openApi = via("gemini", "openai_chat", fixtureJson("gemini", "parallel_tools.request"));
  assertEquals(openApi.tools[0].function.parameters, {
    type: "object",
    properties: { city: { type: "string" } },
  });
  const tools = via("openai_chat", "gemini", fixtureJson("openai_chat", "tool_result.request")).tools;
  assert(tools[0].functionDeclarations[0].parametersJsonSchema, "JSON Schema goes as parametersJsonSchema");
});

Deno.test("media_data_uris_split_and_audio_refused_for_claude (§5.17)", () => {
  const body = via("openai_chat", "gemini", fixtureJson("openai_chat", "image.request"));
  assertEquals(body.contents[0].parts[1], { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } });
  const audio = chat([{
    role: "user",
    content: [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }],
  }]);
  const err = assertThrows(() => via("openai_chat", "claude", audio), RelayError) as RelayError;
  assertEquals([err.status, err.message], [400, "audio input is not supported by Claude models"]);
  assertEquals(via("openai_chat", "gemini", audio).contents[0].parts[0], {
    inlineData: { mimeType: "audio/wav", data: "UklGRg==" },
  });
});

Deno.test("tool_choice_maps_through_the_table (§5.18)", () => {
  const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
  const cases: [unknown, unknown, unknown][] = [
    ["required", { type: "any" }, { mode: "ANY" }],
    [{ type: "function", function: { name: "f" } }, { type: "tool", name: "f" }, {
      mode: "ANY",
      allowedFunctionNames: ["f"],
    }],
    ["none", { type: "none" }, { mode: "NONE" }],
    ["auto", { type: "auto" }, { mode: "AUTO" }],
  ];
  for (const [choice, claude, gemini] of cases) {
    const body = chat([{ role: "user", content: "q" }], { tools, tool_choice: choice });
    assertEquals(via("openai_chat", "claude", body).tool_choice, claude);
    assertEquals(via("openai_chat", "gemini", body).toolConfig.functionCallingConfig, gemini);
  }
  const forced = chat([{ role: "user", content: "q" }], {
    tools,
    tool_choice: "required",
    reasoning_effort: "high",
  });
  assertEquals(
    via("openai_chat", "claude", forced).thinking,
    undefined,
    "Claude refuses forced tools with thinking",
  );
});

Deno.test("previous_response_id_is_refused_off_responses_upstreams", () => {
  const body = { model: "m", previous_response_id: "resp_1", input: "next" };
  assertEquals(via("openai_responses", "openai_responses", body).previous_response_id, "resp_1");
  for (const to of ["openai_chat", "claude", "gemini"] as const) {
    const err = assertThrows(() => via("openai_responses", to, body), RelayError) as RelayError;
    assertEquals([err.status, err.param], [400, "previous_response_id"]);
  }
});

Deno.test("reasoning_text_is_never_sent_as_visible_content (§5.14)", () => {
  const body = via("claude", "openai_chat", fixtureJson("claude", "thinking.request"));
  assert(
    !JSON.stringify(body.messages).includes("Need the weather tool."),
    "Claude-signed thinking is not DeepSeek's",
  );
  const ds = via("openai_chat", "openai_chat", fixtureJson("openai_chat", "thinking.request"));
  assertEquals(
    ds.messages[1].reasoning_content,
    "Need the weather tool.",
    "DeepSeek tool turns keep reasoning_content",
  );
  assertEquals(ds.messages[1].content, null);
});
