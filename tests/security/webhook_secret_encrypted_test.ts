/**
 * Issue 14, "webhook secrets stored in clear": the secrets users keep in their notification settings (the
 * webhook signing secret, the Gotify token, the Bark URL with its device key) are stored encrypted in
 * `users.setting`, still used for real deliveries, and never read back by `GET /api/user/self`; saving
 * back what it shows keeps them. Clear values of an adopted database are encrypted at start.
 */
import { createHmac } from "node:crypto";
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest, buildHarness } from "../support/app.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { type ApiClient, seedUser } from "../support/console_client.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook_receiver.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { saveOptions } from "../../store/options.ts";
import { parseUserSetting } from "../../notify/user_setting.ts";
import { quotaWarningNotice } from "../../notify/notice.ts";

const WEBHOOK_SECRET = "whsec-PLAIN-4f1c9e7a2b";
const GOTIFY_TOKEN = "AgotifyPLAINtoken42";
const BARK_DEVICE = "BarkDevicePLAIN0917";

async function allowReceiver(h: AppHarness, receiver: WebhookReceiver) {
  await saveOptions(h.deps.db, receiver.options);
  await h.deps.cache.publish({ kind: "options" });
}

/** Sends a quota notice to the user as the relay does: the recipient built from the cached user row. */
async function notify(h: AppHarness, userId: number) {
  await h.deps.cache.publish({ kind: "user", id: userId });
  const setting = parseUserSetting(h.deps.catalog.user(userId)!.setting);
  const notice = quotaWarningNotice(
    "$0.01",
    "https://gw.example/console/topup",
    setting.notify_type ?? "email",
  );
  assertEquals(await h.deps.notifier.notifyUser({ userId, setting }, notice), "queued");
}

async function storedSetting(h: AppHarness, userId: number): Promise<string> {
  const rows = await h.deps.db.query<{ setting: string }>("SELECT setting FROM users WHERE id = ?", [userId]);
  return String(rows[0].setting);
}

async function selfSetting(user: ApiClient): Promise<{ text: string; setting: Record<string, unknown> }> {
  const self = await user.call("GET", "/api/user/self");
  assertEquals(self.body.success, true, self.text);
  return { text: self.text, setting: JSON.parse(self.body.data.setting || "{}") };
}

function assertSignedWith(secret: string, request: WebhookReceiver["requests"][number]) {
  const timestamp = request.headers.get("x-webhook-timestamp");
  assert(timestamp, "the webhook carries its timestamp");
  const mac = createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex");
  assertEquals(request.headers.get("x-webhook-signature"), `sha256=${mac}`, "signed with the user's secret");
}

appTest("a webhook secret is stored encrypted, signs real deliveries and is never read back", async (h) => {
  await using receiver = startWebhookReceiver();
  await allowReceiver(h, receiver);
  const alice = await seedUser(h, "alice");
  const saved = await alice.call("PUT", "/api/user/setting", {
    notify_type: "webhook",
    quota_warning_threshold: 1000,
    webhook_url: receiver.url,
    webhook_secret: WEBHOOK_SECRET,
  });
  assertEquals(saved.body.success, true, saved.text);
  const stored = await storedSetting(h, alice.userId);
  assert(!stored.includes(WEBHOOK_SECRET), `stored in clear: ${stored}`);
  assert(stored.includes("enc:v1:"), "stored encrypted");

  const self = await selfSetting(alice);
  assert(!self.text.includes(WEBHOOK_SECRET), "GET /api/user/self reveals the secret");
  assert(!self.text.includes("enc:v1:"), "GET /api/user/self returns the ciphertext");
  assertEquals(self.setting.webhook_url, receiver.url);

  // The profile form sends back what it was shown: the secret is kept.
  const again = await alice.call("PUT", "/api/user/setting", {
    ...self.setting,
    quota_warning_threshold: 2000,
  });
  assertEquals(again.body.success, true, again.text);
  assert(!(await storedSetting(h, alice.userId)).includes(WEBHOOK_SECRET));

  await notify(h, alice.userId);
  await receiver.waitFor(1);
  assertEquals(receiver.hooks[0].type, "quota_exceed");
  assertSignedWith(WEBHOOK_SECRET, receiver.requests[0]);
});

appTest("a Gotify token and a Bark device key are stored encrypted, delivered to and masked", async (h) => {
  await using receiver = startWebhookReceiver();
  await allowReceiver(h, receiver);
  const base = receiver.url.replace(/\/hook$/, "");
  const barkUrl = `${base}/${BARK_DEVICE}/{{title}}/{{content}}`;
  const gina = await seedUser(h, "gina");
  const bart = await seedUser(h, "bart");
  const gotify = await gina.call("PUT", "/api/user/setting", {
    notify_type: "gotify",
    quota_warning_threshold: 1000,
    gotify_url: `${base}/gotify`,
    gotify_token: GOTIFY_TOKEN,
    gotify_priority: 7,
  });
  assertEquals(gotify.body.success, true, gotify.text);
  const bark = await bart.call("PUT", "/api/user/setting", {
    notify_type: "bark",
    quota_warning_threshold: 1000,
    bark_url: barkUrl,
  });
  assertEquals(bark.body.success, true, bark.text);

  const dump = JSON.stringify(await h.deps.db.query("SELECT setting FROM users"));
  for (const secret of [GOTIFY_TOKEN, BARK_DEVICE]) {
    assert(!dump.includes(secret), `${secret} stored in clear`);
  }

  const ginaSelf = await selfSetting(gina);
  assert(!ginaSelf.text.includes(GOTIFY_TOKEN), "GET /api/user/self reveals the Gotify token");
  const bartSelf = await selfSetting(bart);
  assert(!bartSelf.text.includes(BARK_DEVICE), "GET /api/user/self reveals the Bark device key");
  assert(!bartSelf.text.includes("enc:v1:"), "GET /api/user/self returns the ciphertext");
  assert(String(bartSelf.setting.bark_url).startsWith(base), `masked Bark URL ${bartSelf.setting.bark_url}`);
  // Both forms saved back as shown keep the stored secrets.
  for (const [user, shown] of [[gina, ginaSelf], [bart, bartSelf]] as const) {
    const res = await user.call("PUT", "/api/user/setting", shown.setting);
    assertEquals(res.body.success, true, res.text);
  }

  await notify(h, gina.userId);
  await receiver.waitFor(1);
  await notify(h, bart.userId);
  await receiver.waitFor(2);
  const paths = receiver.requests.map((r) => r.path);
  assert(paths.includes(`/gotify/message?token=${GOTIFY_TOKEN}`), paths.join(" "));
  assert(paths.some((p) => p.startsWith(`/${BARK_DEVICE}/`)), paths.join(" "));
});

storeTest(
  "an adopted database's clear notification secrets are encrypted at start and still used",
  async (f) => {
    await using receiver = startWebhookReceiver();
    const seed = await f.open();
    try {
      // The schema and a user row as they were before our migrations ran.
      await migrate(seed, allTables, [], { secrets: testSecrets });
      await seed.exec(`INSERT INTO users (username, password, role, setting) VALUES ('old', 'x', 1, ?)`, [
        JSON.stringify({
          notify_type: "webhook",
          webhook_url: receiver.url,
          webhook_secret: WEBHOOK_SECRET,
          gotify_token: GOTIFY_TOKEN,
          bark_url: `https://api.day.app/${BARK_DEVICE}/{{title}}`,
          language: "en",
        }),
      ]);
    } finally {
      await seed.close();
    }
    const h = await buildHarness(f);
    try {
      await allowReceiver(h, receiver);
      const [{ id }] = await h.deps.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'old'");
      const stored = await storedSetting(h, Number(id));
      for (const secret of [WEBHOOK_SECRET, GOTIFY_TOKEN, BARK_DEVICE]) {
        assert(!stored.includes(secret), `${secret} still stored in clear`);
      }
      assertEquals(JSON.parse(stored).language, "en", "other fields kept");
      await notify(h, Number(id));
      await receiver.waitFor(1);
      assertSignedWith(WEBHOOK_SECRET, receiver.requests[0]);
    } finally {
      await h.close();
    }
  },
);
