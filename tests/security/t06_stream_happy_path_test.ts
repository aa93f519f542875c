/**
 * T06 stream-happy-path: a stream with a final usage chunk reaches the client whole, with exactly one
 * `[DONE]` at the end; the gateway forced `include_usage` on the upstream request; one consume row is
 * written, priced from the upstream's usage (1 prompt token = 1, 1 completion token = 2).
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, settled, userQuota } from "../support/relay.ts";
import { parseSseTranscript } from "../support/sse_fixture.ts";
import { asInt } from "../../store/db.ts";

appTest(
  "a stream with a final usage chunk: every chunk, one [DONE], one charge at the usage price",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)], userQuota: 100_000 });
    const messages = [{ role: "user", content: "[fake:chunks=20] tell me" }];
    for (const includeUsage of [false, true]) {
      const before = await userQuota(h, s.userId);
      const body: Record<string, unknown> = { model: "test-model", messages, stream: true };
      if (includeUsage) body.stream_options = { include_usage: true };
      const res = await chat(h, s.key, body);
      assertEquals(res.status, 200);
      assert(res.headers.get("content-type")?.startsWith("text/event-stream"));
      const events = parseSseTranscript(await res.text()).map((e) => e.data);
      assertEquals(events.filter((d) => d === "[DONE]").length, 1, "exactly one [DONE]");
      assertEquals(events.at(-1), "[DONE]", "[DONE] is last");
      const chunks = events.slice(0, -1).map((d) => JSON.parse(d));
      const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
      const upstream = JSON.parse(fake.lastRequest()!.text);
      assertEquals(upstream.stream_options?.include_usage, true, "include_usage forced upstream");
      const usageChunks = chunks.filter((c) => c.usage);
      assertEquals(usageChunks.length, includeUsage ? 1 : 0, "usage shown only to a client that asked");
      assert(text.length > 0, "content arrived");
      assertEquals(chunks.filter((c) => c.choices?.[0]?.finish_reason).length, 1, "one finish_reason");

      await settled(h);
      assertEquals(await heldCount(h), 0);
      const rows = await h.deps.db.query(
        "SELECT quota, prompt_tokens, completion_tokens, is_stream FROM logs WHERE type = 2 ORDER BY id DESC",
      );
      assertEquals(rows.length, includeUsage ? 2 : 1, "one consume row per stream");
      const row = rows[0];
      const p = asInt(row.prompt_tokens), c = asInt(row.completion_tokens);
      assert(p > 0 && c > 0, `usage ${p}/${c}`);
      assertEquals(asInt(row.quota), p + 2 * c, "priced from the upstream's usage");
      if (includeUsage) {
        assertEquals([usageChunks[0].usage.prompt_tokens, usageChunks[0].usage.completion_tokens], [p, c]);
      }
      assertEquals(before - await userQuota(h, s.userId), p + 2 * c, "the wallet paid exactly that");
    }
  },
);
