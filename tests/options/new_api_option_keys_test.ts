/**
 * Every one of New API's 245 option keys (tests/fixtures/new_api_option_keys.txt, from the parity file)
 * is accepted by `PUT /api/option/` with a valid value of New API's type, stored under its name and read
 * back; a bad bool, number or JSON value answers `{success:false, message}` with a 400, never a 500; and
 * `GET /api/option/` keeps New API's `{key, value}` items, marking keys the project does not act on.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { loadOptions } from "../../store/options.ts";

type ValueType = "bool" | "int" | "float" | "json" | "string";

const FIXTURE = new URL("../fixtures/new_api_option_keys.txt", import.meta.url);
const KEYS: [string, ValueType][] = (await Deno.readTextFile(FIXTURE)).split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"))
  .map((line) => line.split("\t") as [string, ValueType]);

/** Strings whose option only takes some texts (New API's enums and formats). */
const STRING_VALUES: Record<string, string> = {
  "general_setting.quota_display_type": "CNY",
  DataExportDefaultTime: "day",
  AutomaticDisableStatusCodes: "401,429",
  AutomaticRetryStatusCodes: "429,500-599",
  ServerAddress: "https://gateway.example.com",
  PayAddress: "https://pay.example.com",
  StripeApiSecret: "sk_test_fixture",
  CustomCallbackAddress: "https://callback.example.com",
  "monitor_setting.channel_test_mode": "auto_ban_only",
};

/** Integers whose option takes a range (Linux DO's trust levels are 0–4). */
const INT_VALUES: Record<string, [string, string]> = {
  LinuxDOMinimumTrustLevel: ["3", "2"],
};

/** A valid value unlike the current one, so reading it back shows it was stored. */
function validValue(key: string, type: ValueType, current: string): string {
  switch (type) {
    case "bool":
      return current === "true" ? "false" : "true";
    case "int": {
      const [a, b] = INT_VALUES[key] ?? ["7", "8"];
      return current === a ? b : a;
    }
    case "float":
      return current === "0.5" ? "0.25" : "0.5";
    case "json":
      // The same JSON re-spaced: valid for the key's own shape, yet a different stored text.
      return JSON.stringify(JSON.parse(current), null, 1) + " ";
    case "string":
      return STRING_VALUES[key] ?? `fixture ${key}`;
  }
}

const INVALID: Partial<Record<ValueType, string[]>> = {
  bool: ["yes", "1", ""],
  int: ["abc", "1.5", ""],
  float: ["abc", ""],
  json: ["{not json", "[1,"],
};

appTest("every New API option key is accepted, stored under its name and read back", async (h) => {
  assertEquals(KEYS.length, 245);
  const { root } = await cast(h);
  const listed = async () => {
    const res = await root.call("GET", "/api/option/");
    assertEquals(res.body.success, true);
    return new Map<string, { key: string; value: string; implemented?: boolean }>(
      res.body.data.map((o: { key: string; value: string }) => [o.key, o]),
    );
  };
  const before = await listed();
  const refused: string[] = [];
  const sent = new Map<string, string>();
  for (const [key, type] of KEYS) {
    // Secret keys (…Secret, …Key, …Token) are never listed; their default is New API's empty text.
    const current = before.get(key)?.value ?? (type === "json" ? "{}" : "");
    const value = validValue(key, type, current);
    const res = await root.call("PUT", "/api/option/", { key, value });
    if (res.status !== 200 || res.body.success !== true) refused.push(`${key}: ${res.text.slice(0, 120)}`);
    sent.set(key, value);
  }
  assertEquals(refused, [], `${refused.length} of ${KEYS.length} keys refused`);
  const stored = await loadOptions(h.deps.db);
  const after = await listed();
  for (const [key] of KEYS) {
    assertEquals(stored.get(key), sent.get(key), `${key} stored under its name`);
    assertEquals(h.deps.catalog.option(key), sent.get(key), `${key} published`);
    const item = after.get(key);
    if (item) {
      assertEquals(item.value, sent.get(key), `${key} read back`);
      assertEquals(typeof item.implemented, "boolean", `${key} says whether it is acted on`);
    }
  }
  // New API's shape is kept: data is a list of {key, value} (the marker is one extra field).
  for (const item of after.values()) assert(typeof item.key === "string" && typeof item.value === "string");
  assertEquals(after.get("TurnstileCheckEnabled")?.implemented, true);
  assertEquals(after.get("WeChatAuthEnabled")?.implemented, true);
  assertEquals(after.get("SMTPStartTLSEnabled")?.implemented, false);
  assertEquals(after.get("PayMethods")?.implemented, true);
  assertEquals(after.get("WaffoSandbox")?.implemented, false);
  assertEquals(after.get("CreemTestMode")?.implemented, true);
  assertEquals(after.get("QuotaForNewUser")?.implemented, true);
  assertEquals(after.get("fetch_setting.allow_private_ip")?.implemented, true);
});

appTest(
  "a bad bool, number or JSON value for a New API key answers success:false and a message",
  async (h) => {
    const { root } = await cast(h);
    const stored = await loadOptions(h.deps.db);
    for (const [key, type] of KEYS) {
      for (const value of INVALID[type] ?? []) {
        const res = await root.call("PUT", "/api/option/", { key, value });
        const label = `${key}=${JSON.stringify(value)}`;
        assertEquals(res.status, 400, `${label}: ${res.text.slice(0, 200)}`);
        assertEquals(res.body.success, false, label);
        assert(
          typeof res.body.message === "string" && res.body.message.includes(key),
          `${label}: ${res.text}`,
        );
      }
    }
    assertEquals(await loadOptions(h.deps.db), stored, "nothing invalid was stored");
    // New API's clients send JSON booleans and numbers too.
    assertEquals(
      (await root.call("PUT", "/api/option/", { key: "WaffoEnabled", value: true })).body.success,
      true,
    );
    assertEquals((await root.call("PUT", "/api/option/", { key: "MinTopUp", value: 5 })).body.success, true);
    assertEquals(h.deps.catalog.option("MinTopUp"), "5");
  },
);
