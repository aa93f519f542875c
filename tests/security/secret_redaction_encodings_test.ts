/**
 * An upstream that echoes the channel key back in its error, in every altered form careless upstreams
 * and proxies use (`tests/fake_upstream/key_echo.ts`: plain, URL-encoded, JSON \u escapes, base64 and
 * base64url at each alignment, split across lines or fields, its tail), answered as an HTTP error, as an
 * error event before the first byte and in the middle of a stream. Neither a common user nor an admin
 * finds any recognisable part of the key in the answer (body and headers), in what the process printed
 * at any log level, in the logs table, nor in the log routes; the admin's error rows keep the upstream's
 * text, redacted.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import type { Fault } from "../fake_upstream/faults.ts";
import { KEY_ECHOES } from "../fake_upstream/key_echo.ts";
import { chat, fakeChannel, relaySetup, settled } from "../support/relay.ts";
import { captureConsole } from "../support/console_capture.ts";
import { keyLeak } from "../support/key_leak.ts";
import { withTestAuth } from "../support/test_auth.ts";
import { Role } from "../../store/users.ts";

const CHANNEL_KEY = "sk-proj-Zq7Wm3Xr9Tb5Lp2Hv8Nd4Kf6Yc1Qa0";

const FAILURES: [string, Fault, boolean][] = [
  ["a 400", { status: 400 }, false],
  ["a 401", { status: 401 }, false],
  ["a 429", { status: 429 }, false],
  ["a 500", { status: 500 }, false],
  ["an error event before the first byte", { errorAfter: 0 }, true],
  ["an error event mid-stream", { errorAfter: 2 }, true],
];

function assertNoLeak(where: string, text: string) {
  const leak = keyLeak(text, CHANNEL_KEY);
  assert(!leak, `${where} carries the channel key (${leak}): ${text.slice(0, 2000)}`);
}

async function answerText(res: Response): Promise<string> {
  return `${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${await res.text()}`;
}

appTest(
  "a channel key echoed by the upstream in any encoding reaches no answer, console line, log row or log route",
  async (h: AppHarness) => {
    await using fake = await startFakeUpstream();
    const user = await relaySetup(h, {
      channels: [fakeChannel(fake.url, { key: CHANNEL_KEY, autoBan: 0 })],
      username: "alice",
    });
    const admin = await relaySetup(h, { channels: [], username: "boss", role: Role.admin });
    const call = withTestAuth(h);

    const { output } = await captureConsole(async () => {
      for (const echo of KEY_ECHOES) {
        for (const [what, fault, stream] of FAILURES) {
          fake.setKeyFault(CHANNEL_KEY, { ...fault, echoKey: echo });
          for (const [who, caller] of [["user", user], ["admin", admin]] as const) {
            const res = await chat(h, caller.key, {
              model: "gpt-4o-mini",
              stream,
              messages: [{ role: "user", content: "hi" }],
            });
            const text = await answerText(res);
            assertNoLeak(`${who}'s answer to ${what} echoing the key (${echo})`, text);
            if (who === "admin" && !stream && fault.status !== 500) {
              assert(text.includes("[redacted]"), `the admin sees the upstream's text, redacted: ${text}`);
            }
          }
        }
      }
      await settled(h);
      await h.deps.billing.logQueue.flush();
    });
    assert(
      fake.requests.length === KEY_ECHOES.length * FAILURES.length * 2,
      "every request reached the upstream",
    );
    assert(output.includes("upstream attempt failed"), "the failures were printed (debug level on)");
    assertNoLeak("the console output", output);

    const rows = await h.deps.db.query("SELECT * FROM logs ORDER BY id");
    const errors = rows.filter((r) => Number(r.type) === 5);
    assert(errors.length > 0, "error rows were written");
    assert(errors.some((r) => String(r.content).includes("[redacted]")), "error rows keep the redacted text");
    for (const r of rows) assertNoLeak(`log row ${r.id}`, JSON.stringify(r));

    for (
      const [route, as] of [
        ["/api/log/?p=1&page_size=100", admin.userId],
        ["/api/log/?p=2&page_size=100", admin.userId],
        ["/api/log/self?p=1&page_size=100", user.userId],
        ["/api/log/self?p=1&page_size=100", admin.userId],
        ["/api/log/self/search?keyword=5", user.userId],
      ] as const
    ) {
      const res = await call("GET", route, { as });
      assert(res.status === 200, `${route}: ${res.status}`);
      assertNoLeak(`GET ${route}`, await res.text());
    }
  },
  { ERROR_LOG_ENABLED: "true" },
);

appTest(
  "a 401 echoing the key disables the channel with a reason the key is not in",
  async (h: AppHarness) => {
    await using fake = await startFakeUpstream();
    // One channel per form, each answering 401 with its own key echoed: every one is tried and disabled.
    const keys = KEY_ECHOES.map((_, i) => `${CHANNEL_KEY.slice(0, -2)}${String(i).padStart(2, "0")}`);
    const user = await relaySetup(h, {
      channels: keys.map((key) => fakeChannel(fake.url, { key })),
      options: { AutomaticDisableChannelEnabled: "true", RetryTimes: String(keys.length) },
    });
    KEY_ECHOES.forEach((echo, i) => fake.setKeyFault(keys[i], { status: 401, echoKey: echo }));
    const root = await relaySetup(h, { channels: [], username: "root", role: Role.root });
    const { output } = await captureConsole(async () => {
      const res = await chat(h, user.key, {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
      });
      const text = await answerText(res);
      for (const key of keys) assert(!keyLeak(text, key), `the answer carries ${key}: ${text}`);
      await settled(h);
      await h.deps.billing.logQueue.flush();
    });
    assert(fake.requests.length === keys.length, `every channel was tried (${fake.requests.length})`);
    const channels = await h.deps.db.query("SELECT id, status, other_info FROM channels ORDER BY id");
    assert(channels.every((c) => Number(c.status) === 3), `all disabled: ${JSON.stringify(channels)}`);
    const listedRes = await withTestAuth(h)("GET", "/api/channel/?p=1&page_size=100", { as: root.userId });
    assert(listedRes.status === 200, `GET /api/channel/: ${listedRes.status}`);
    const listed = await listedRes.text();
    const logs = JSON.stringify(await h.deps.db.query("SELECT * FROM logs"));
    for (const key of keys) {
      for (
        const [where, text] of [
          ["the console", output],
          ["channels.other_info", JSON.stringify(channels)],
          ["GET /api/channel/", listed],
          ["the logs table", logs],
        ]
      ) {
        const leak = keyLeak(text, key);
        assert(!leak, `${where} carries ${key} (${leak})`);
      }
    }
  },
);
