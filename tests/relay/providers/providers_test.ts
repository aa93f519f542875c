/** Each channel type's URL, auth headers and quirks, as New API builds them. */
import { assert, assertEquals } from "../../support/assert.ts";
import { providerFor } from "../../../relay/providers/registry.ts";
import type { UpstreamTarget } from "../../../relay/providers/spec.ts";

function target(t: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return {
    baseUrl: "https://up.example",
    endpoint: "chat_completions",
    dialect: "openai_chat",
    model: "m-1",
    stream: false,
    other: "",
    settings: {},
    openaiOrganization: "",
    env: { azureApiVersion: "2025-04-01-preview", geminiSafety: "BLOCK_NONE" },
    ...t,
  };
}

const url = (type: number, t: Partial<UpstreamTarget> = {}) => providerFor(type)!.url(target(t));

Deno.test("the OpenAI-compatible family: roots and paths per type", () => {
  assertEquals(url(1), "https://up.example/v1/chat/completions");
  assertEquals(url(1, { endpoint: "embeddings" }), "https://up.example/v1/embeddings");
  assertEquals(
    url(1, { baseUrl: "https://gateway.ai.cloudflare.com/v1/acc/gw/openai" }),
    "https://gateway.ai.cloudflare.com/v1/acc/gw/openai/chat/completions",
  );
  assertEquals(url(26), "https://up.example/api/paas/v4/chat/completions");
  assertEquals(url(45), "https://up.example/api/v3/chat/completions");
  assertEquals(url(46), "https://up.example/v2/chat/completions");
  assertEquals(url(27), "https://up.example/chat/completions");
  assertEquals(
    url(39, { other: "acc-1" }),
    "https://up.example/client/v4/accounts/acc-1/ai/v1/chat/completions",
  );
  assertEquals(url(38, { endpoint: "rerank" }), "https://up.example/v1/rerank");
  for (const type of [4, 6, 7, 9, 10, 12, 13, 19, 20, 22, 25, 31, 40, 42, 43, 47, 48]) {
    assertEquals(url(type), "https://up.example/v1/chat/completions", `type ${type}`);
  }
  assertEquals(providerFor(20)!.headers(target(), "k", new Headers())["x-title"], "New API");
  assertEquals(providerFor(1)!.headers(target({ openaiOrganization: "org-1" }), "k", new Headers()), {
    authorization: "Bearer k",
    "openai-organization": "org-1",
  });
});

Deno.test("stream_options follows New API's allow-list", () => {
  const allowed = [1, 3, 4, 25, 26, 39, 40, 43, 45, 46, 48];
  const dropped = [8, 20, 27, 31, 42, 47];
  for (const t of allowed) assertEquals(providerFor(t)!.streamOptions, true, `type ${t}`);
  for (const t of dropped) assertEquals(providerFor(t)!.streamOptions, false, `type ${t}`);
});

Deno.test("Azure: deployments with api-version from `other` or the default, Responses on v1", () => {
  assertEquals(
    url(3, { model: "gpt-4o" }),
    "https://up.example/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview",
  );
  assertEquals(
    url(3, { other: "2024-10-21", endpoint: "embeddings" }),
    "https://up.example/openai/deployments/m-1/embeddings?api-version=2024-10-21",
  );
  assertEquals(
    url(3, { endpoint: "responses" }),
    "https://up.example/openai/v1/responses?api-version=preview",
  );
  assertEquals(
    url(3, { endpoint: "responses", settings: { azure_responses_version: "2025-03-01-preview" } }),
    "https://up.example/openai/v1/responses?api-version=2025-03-01-preview",
  );
  assertEquals(providerFor(3)!.headers(target(), "k", new Headers()), { "api-key": "k" });
});

Deno.test("Custom: the full URL with {model}", () => {
  assertEquals(
    url(8, { baseUrl: "https://x.example/run/{model}/chat", model: "a/b" }),
    "https://x.example/run/a%2Fb/chat",
  );
});

Deno.test("Anthropic and Gemini: native paths, their auth headers, beta and safety settings", () => {
  assertEquals(url(14, { endpoint: "claude_messages" }), "https://up.example/v1/messages");
  assertEquals(url(14, { endpoint: "claude_count_tokens" }), "https://up.example/v1/messages/count_tokens");
  assertEquals(
    url(14, { settings: { claude_beta_query: true } }),
    "https://up.example/v1/messages?beta=true",
  );
  const h = providerFor(14)!.headers(target(), "k", new Headers({ "anthropic-beta": "tools-2024" }));
  assertEquals(h, { "x-api-key": "k", "anthropic-version": "2023-06-01", "anthropic-beta": "tools-2024" });
  assertEquals(
    url(24, { model: "gemini-2.5-flash" }),
    "https://up.example/v1beta/models/gemini-2.5-flash:generateContent",
  );
  assertEquals(
    url(24, { model: "g", stream: true, other: "v1" }),
    "https://up.example/v1/models/g:streamGenerateContent?alt=sse",
  );
  assertEquals(
    url(24, { model: "g", endpoint: "gemini_count_tokens" }),
    "https://up.example/v1beta/models/g:countTokens",
  );
  assertEquals(
    url(24, { model: "e", endpoint: "gemini_batch_embed" }),
    "https://up.example/v1beta/models/e:batchEmbedContents",
  );
  assertEquals(providerFor(24)!.headers(target(), "k", new Headers()), { "x-goog-api-key": "k" });
  const body: Record<string, unknown> = {
    safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_LOW" }],
  };
  providerFor(24)!.prepareBody!(body, target({ endpoint: "gemini_generate" }));
  const settings = body.safetySettings as { category: string; threshold: string }[];
  assertEquals(settings.length, 5);
  assertEquals(settings[0].threshold, "BLOCK_LOW", "the request's own setting wins");
  assert(settings.slice(1).every((s) => s.threshold === "BLOCK_NONE"));
  // Other Gemini methods take no safety settings; a batch names the upstream model in every request.
  const count: Record<string, unknown> = { contents: [] };
  providerFor(24)!.prepareBody!(count, target({ endpoint: "gemini_count_tokens" }));
  assertEquals(count, { contents: [] });
  const batch = { requests: [{ model: "models/alias", content: { parts: [] } }] };
  providerFor(24)!.prepareBody!(batch, target({ endpoint: "gemini_batch_embed", model: "e" }));
  assertEquals(batch.requests[0].model, "models/e");
});

Deno.test("types with a native protocol not implemented have no spec; unknown types fall back to OpenAI", () => {
  for (const t of [33, 41, 2, 36]) assertEquals(providerFor(t), undefined, `type ${t}`);
  assertEquals(providerFor(0)!.name, "openai");
  assertEquals(providerFor(999)!.name, "openai");
});
