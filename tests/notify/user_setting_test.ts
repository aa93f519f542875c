import { assertEquals } from "../support/assert.ts";
import { parseUserSetting } from "../../notify/user_setting.ts";
import { quotaBelowThreshold, quotaWarningNotice, renderContent } from "../../notify/notice.ts";

Deno.test("users.setting parses New API's UserSetting; bad fields and bad JSON fall back to nothing", () => {
  assertEquals(
    parseUserSetting(
      '{"notify_type":"gotify","quota_warning_threshold":500000,"gotify_url":"https://g.example","gotify_token":"t",' +
        '"gotify_priority":8,"sidebar_modules":"x","language":"en"}',
    ),
    {
      notify_type: "gotify",
      quota_warning_threshold: 500000,
      gotify_url: "https://g.example",
      gotify_token: "t",
      gotify_priority: 8,
    },
  );
  assertEquals(parseUserSetting('{"notify_type":"pigeon","webhook_url":42}'), {});
  assertEquals(parseUserSetting("{oops"), {});
  assertEquals(parseUserSetting(null), {});
});

Deno.test("the quota warning fires when the quota left after the charge is below the threshold", () => {
  assertEquals(quotaBelowThreshold(6000, 2000, 5000, 1000), true);
  assertEquals(quotaBelowThreshold(6000, 1000, 5000, 1000), false, "exactly at the threshold");
  assertEquals(
    quotaBelowThreshold(1500, 600, undefined, 1000),
    true,
    "site threshold when the user set none",
  );
  assertEquals(quotaBelowThreshold(500, 0, undefined, 1000), false, "nothing charged");
  const html = quotaWarningNotice("$1", "https://x.example/topup?a=1&b=2", "email");
  assertEquals(renderContent(html, true).includes("https://x.example/topup?a=1&#38;b=2"), true);
  assertEquals(renderContent(quotaWarningNotice("$1", "l", "bark")), "Remaining quota: $1. Please top up.");
});
