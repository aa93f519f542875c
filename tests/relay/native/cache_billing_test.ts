/**
 * Prompt-cache usage from Claude and OpenAI upstreams is billed per the cache ratios (reads at
 * CacheRatio 0.25, writes at CreateCacheRatio 1.25) whichever dialect the client speaks, whole and
 * streamed: Claude's `input_tokens` already excludes the cache, OpenAI's `prompt_tokens` includes its
 * cached tokens, and neither is counted twice. The expectation is computed from the upstream's raw usage.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { settled, userQuota } from "../../support/relay.ts";
import { expectedQuota, nativeSetup, replay } from "../../support/native_relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const PROMPT = "Summarise the long shared context again [fake:cache_read=40] [fake:cache_write=12] " +
  "with plenty of words so the prompt is long enough to hold both cache counts comfortably: ".repeat(3);

const CLIENTS = [
  {
    name: "claude",
    path: "/v1/messages",
    headers: (key: string) => ({ "x-api-key": key }),
    body: (model: string, stream: boolean) => ({
      model,
      max_tokens: 64,
      stream,
      messages: [{ role: "user", content: PROMPT }],
    }),
  },
  {
    name: "openai",
    path: "/v1/chat/completions",
    headers: (key: string) => ({ authorization: `Bearer ${key}` }),
    body: (model: string, stream: boolean) => ({
      model,
      stream,
      messages: [{ role: "user", content: PROMPT }],
    }),
  },
];

/** Disjoint counts from the upstream's own usage object. */
function rawCounts(kind: "claude" | "openai", usage: Record<string, number & Record<string, number>>) {
  if (kind === "claude") {
    return {
      input: usage.input_tokens,
      cacheRead: usage.cache_read_input_tokens,
      cacheWrite: usage.cache_creation_input_tokens,
      output: usage.output_tokens,
      logPrompt: usage.input_tokens,
    };
  }
  const cached = usage.prompt_tokens_details.cached_tokens;
  return {
    input: usage.prompt_tokens - cached,
    cacheRead: cached,
    cacheWrite: 0,
    output: usage.completion_tokens,
    logPrompt: usage.prompt_tokens,
  };
}

for (
  const upstream of [{ kind: "claude" as const, model: "chat-claude" }, {
    kind: "openai" as const,
    model: "chat-openai",
  }]
) {
  appTest(`cache tokens from a ${upstream.kind} upstream are billed at the cache ratios`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        const cell = `${client.name} client, ${stream ? "stream" : "whole"}`;
        const before = await userQuota(h, s.userId);
        const res = await h.call(
          "POST",
          client.path,
          client.body(upstream.model, stream),
          client.headers(s.key),
        );
        assertEquals(res.status, 200, cell);
        await res.text();
        const sent = fake.lastRequest()!;
        const body = { ...sent.json };
        delete body.stream;
        delete body.stream_options;
        const ref = await (await replay(
          fake,
          {
            ...sent,
            url: sent.url,
            method: "POST",
            headers: sent.headers,
            body: new TextEncoder().encode(JSON.stringify(body)),
          } as typeof sent,
        )).json();
        const counts = rawCounts(upstream.kind, ref.usage);
        assertEquals(counts.cacheRead, 40, `${cell}: the fake read the cache`);
        if (upstream.kind === "claude") assertEquals(counts.cacheWrite, 12, `${cell}: and wrote it`);
        await settled(h);
        const quota = expectedQuota(counts);
        assertEquals(before - await userQuota(h, s.userId), quota, `${cell}: charged`);
        const row = await queryOne(
          h.deps.db,
          "SELECT quota, prompt_tokens, completion_tokens, other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
        );
        assertEquals(asInt(row!.quota), quota, `${cell}: logged`);
        // New API's columns: Claude rows show input without the cache, OpenAI rows the whole prompt.
        assertEquals(asInt(row!.prompt_tokens), counts.logPrompt, `${cell}: prompt_tokens`);
        const other = JSON.parse(String(row!.other));
        assertEquals([other.cache_tokens, other.cache_ratio], [40, 0.25], `${cell}: cache read in the log`);
        if (upstream.kind === "claude") assertEquals(other.cache_creation_tokens, 12, `${cell}: cache write`);
      }
    }
  });
}
