/** `PUT /api/user/setting`: notification preferences, checked like New API's, stored in `users.setting`. */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { parseUserSetting } from "../../../notify/user_setting.ts";
import { openSettingSecrets } from "../../../notify/setting_secrets.ts";

appTest("notification settings are validated per type and kept beside the other preferences", async (h) => {
  const { alice, bob } = await cast(h);
  const put = (body: unknown) => alice.call("PUT", "/api/user/setting", body);
  const refused: [unknown, string][] = [
    [{ notify_type: "sms", quota_warning_threshold: 1 }, "notification type"],
    [{ notify_type: "email", quota_warning_threshold: 0 }, "greater than 0"],
    [{ notify_type: "webhook", quota_warning_threshold: 5 }, "Webhook"],
    [{ notify_type: "webhook", quota_warning_threshold: 5, webhook_url: "ftp://x" }, "http"],
    [{ notify_type: "email", quota_warning_threshold: 5, notification_email: "not-mail" }, "email"],
    [{ notify_type: "gotify", quota_warning_threshold: 5, gotify_url: "https://g.example" }, "Gotify"],
    [{ notify_type: "email" }, "quota_warning_threshold"],
  ];
  for (const [body, fragment] of refused) {
    const res = await put(body);
    assertEquals(res.status, 400, JSON.stringify(body));
    assert(res.body.message.includes(fragment), `${res.body.message} (${fragment})`);
  }

  await alice.call("PUT", "/api/user/self", { language: "fr" });
  const saved = await put({
    notify_type: "webhook",
    quota_warning_threshold: 250000,
    webhook_url: "https://hooks.example/alice",
    webhook_secret: "whsec-alice",
    notification_email: "ignored@example.com",
  });
  assertEquals(saved.body.success, true, saved.text);
  let self = (await alice.call("GET", "/api/user/self")).body.data;
  const setting = JSON.parse(self.setting);
  assertEquals(setting.language, "fr", "other preferences are kept");
  assertEquals(parseUserSetting(self.setting), {
    notify_type: "webhook",
    quota_warning_threshold: 250000,
    webhook_url: "https://hooks.example/alice",
    webhook_secret: "",
    notification_email: "",
    bark_url: "",
    gotify_url: "",
    gotify_token: "",
    gotify_priority: 0,
  });

  assertEquals(
    (await put({ notify_type: "webhook", quota_warning_threshold: 1, webhook_url: "https://h.example" }))
      .body.success,
    true,
  );
  const stored = () => parseUserSetting(h.deps.catalog.user(alice.userId)?.setting);
  assertEquals(
    openSettingSecrets(h.deps.secrets.cryptoSecret, stored()).webhook_secret,
    "whsec-alice",
    "an empty secret keeps the stored one",
  );

  assertEquals(
    (await put({ notify_type: "email", quota_warning_threshold: 9, notification_email: "a@b.example" }))
      .body.success,
    true,
  );
  self = (await alice.call("GET", "/api/user/self")).body.data;
  assertEquals(parseUserSetting(self.setting).webhook_url, "", "the other type's destination is cleared");
  assertEquals(parseUserSetting(self.setting).notification_email, "a@b.example");
  assertEquals(stored().notification_email, "a@b.example", "published to the catalog");
  const other = (await bob.call("GET", "/api/user/self")).body.data;
  assertEquals(other.setting, "", "another user's setting is untouched");
});
