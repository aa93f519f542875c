/**
 * An affinity rule's `param_override_template` (New API's ApplyChannelAffinityOverrideTemplate): for a
 * request the rule matches, the template is merged into the param override of whichever channel the
 * attempt goes to — the channel's own keys win, the template's operations run before the channel's — and
 * the log row's `admin_info.channel_affinity.override_template` says so. A request the rule does not
 * match is untouched. Template operations of modes not carried out here (New API's header modes) are left
 * out and named, rather than failing every matched request.
 */
import type { AppHarness } from "../../support/app.ts";
import { sqliteAppTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { queryOne } from "../../../store/db.ts";
import { mergeOverrideTemplate } from "../../../relay/routing/affinity_rules.ts";

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 0.5 };

function rules(template: Record<string, unknown>) {
  return JSON.stringify([{
    name: "sessions",
    model_regex: ["^gpt-"],
    key_sources: [{ type: "request_header", key: "X-Session-Id" }],
    param_override_template: template,
  }]);
}

async function lastAffinityNote(h: AppHarness): Promise<Record<string, unknown> | undefined> {
  await settled(h);
  const row = await queryOne(h.deps.db, "SELECT other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1");
  return JSON.parse(String(row!.other)).admin_info?.channel_affinity;
}

Deno.test("mergeOverrideTemplate: channel keys win, template operations go first", () => {
  assertEquals(
    mergeOverrideTemplate(
      { temperature: 0.1, operations: [{ mode: "set", path: "a", value: 2 }] },
      { temperature: 0.9, top_p: 0.3, operations: [{ mode: "set", path: "a", value: 1 }] },
    ),
    {
      temperature: 0.1,
      top_p: 0.3,
      operations: [{ mode: "set", path: "a", value: 1 }, { mode: "set", path: "a", value: 2 }],
    },
  );
  assertEquals(mergeOverrideTemplate({}, { operations: [] }), { operations: [] });
});

sqliteAppTest("a matched rule's template joins the channel's own param override", async (h) => {
  await using fake = await startFakeUpstream();
  const { key } = await relaySetup(h, {
    options: {
      "channel_affinity_setting.enabled": "true",
      "channel_affinity_setting.rules": rules({
        operations: [
          { mode: "set", path: "metadata.session", value: "pinned" },
          { mode: "set", path: "temperature", value: 0.9 },
          { mode: "pass_headers", value: ["X-Session-Id"] },
        ],
      }),
    },
    channels: [fakeChannel(fake.url, {
      key: "key-a",
      // The channel's own operation runs after the template's, so its temperature wins.
      paramOverride: JSON.stringify({ operations: [{ mode: "set", path: "temperature", value: 0.2 }] }),
    })],
  });

  assertEquals((await chat(h, key, ask, { "x-session-id": "s1" })).status, 200);
  const sent = fake.requests.at(-1)!.json;
  assertEquals(sent.metadata, { session: "pinned" });
  assertEquals(sent.temperature, 0.2);
  const note = await lastAffinityNote(h);
  assertEquals(note?.override_template, {
    applied: true,
    rule_name: "sessions",
    param_override_keys: 1,
    skipped_modes: ["pass_headers"],
  });

  // No session header: the rule does not match, only the channel's override applies.
  assertEquals((await chat(h, key, ask)).status, 200);
  const plain = fake.requests.at(-1)!.json;
  assertEquals([plain.metadata, plain.temperature], [undefined, 0.2]);
});

sqliteAppTest("a legacy template adds only the keys the channel's override lacks", async (h) => {
  await using fake = await startFakeUpstream();
  const { key } = await relaySetup(h, {
    options: {
      "channel_affinity_setting.enabled": "true",
      "channel_affinity_setting.rules": rules({ top_p: 0.3, temperature: 1 }),
    },
    channels: [fakeChannel(fake.url, { key: "key-a", paramOverride: JSON.stringify({ temperature: 0 }) })],
  });
  assertEquals((await chat(h, key, ask, { "x-session-id": "s2" })).status, 200);
  const sent = fake.requests.at(-1)!.json;
  assertEquals([sent.top_p, sent.temperature], [0.3, 0]);
  const note = await lastAffinityNote(h);
  assertEquals((note?.override_template as Record<string, unknown>).param_override_keys, 2);
});
