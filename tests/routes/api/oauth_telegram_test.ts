/**
 * Telegram sign-in and the two-step bind on the three stores: a bound user signs in with a widget answer,
 * an unbound account is refused (Telegram signs nobody up), a replayed, forged or stale answer is
 * refused; bind/start hands a flow token tied to the session, the callback binds once, and a spent or
 * foreign flow, a signed-out session and an account bound elsewhere redirect with New API's error codes.
 */
import { assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { anonymous, answer, cast, sessionCookieOf } from "../../support/console_client.ts";
import { signTelegram, TEST_BOT_TOKEN } from "../../support/telegram_widget.ts";
import { queryOne } from "../../../store/db.ts";

async function configure(h: AppHarness, enabled = true) {
  const people = await cast(h);
  for (
    const [key, value] of Object.entries({
      TelegramOAuthEnabled: String(enabled),
      TelegramBotToken: TEST_BOT_TOKEN,
      TelegramBotName: "newapi_test_bot",
    })
  ) {
    const res = await people.root.call("PUT", "/api/option/", { key, value });
    assertEquals(res.body.success, true, `${key}: ${res.text}`);
  }
  return people;
}

const widget = (id: string, ageSeconds = 5) =>
  signTelegram({
    id,
    first_name: "Tele",
    username: `tg${id}`,
    auth_date: String(Math.floor(Date.now() / 1000) - ageSeconds),
  });

const telegramIdOf = async (h: AppHarness, userId: number) =>
  (await queryOne(h.deps.db, "SELECT telegram_id FROM users WHERE id = ?", [userId]))?.telegram_id;

/** Follows bind/start and the widget's redirect; answers where the gateway sent the browser. */
async function bind(h: AppHarness, cookie: string, callbackUrl: string, params: URLSearchParams) {
  const res = await h.call("GET", `${callbackUrl}?${params}`, undefined, { cookie });
  assertEquals(res.status, 302, await res.clone().text());
  return new URL(res.headers.get("location")!, "http://localhost");
}

appTest("status announces Telegram; the bot token stays out of GET /api/option/", async (h) => {
  const { root } = await configure(h);
  const status = await anonymous(h, "GET", "/api/status");
  assertEquals([status.body.data.telegram_oauth, status.body.data.telegram_bot_name], [
    true,
    "newapi_test_bot",
  ]);
  const options = await root.call("GET", "/api/option/");
  const keys = (options.body.data as { key: string }[]).map((o) => o.key);
  assertEquals([keys.includes("TelegramBotName"), keys.includes("TelegramBotToken")], [true, false]);
});

appTest("bind in two steps, then sign in with the widget; replays and forgeries refused", async (h) => {
  const { alice, bob } = await configure(h);
  const start = await alice.call("POST", "/api/oauth/telegram/bind/start");
  assertEquals(start.body.success, true, start.text);
  const { flow_token: token, callback_url: callbackUrl, expires_at: expiresAt } = start.body.data;
  assertEquals(callbackUrl, `/api/oauth/telegram/bind/${token}`);
  assertEquals(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 300)) <= 2, true);

  // A forged answer does not bind and does not spend the flow.
  const forged = await widget("777");
  forged.set("id", "778");
  const refused = await bind(h, "", callbackUrl, forged);
  assertEquals(refused.searchParams.get("error_code"), "TELEGRAM_BIND_INVALID_REQUEST");

  const answerA = await widget("777");
  const done = await bind(h, "", callbackUrl, answerA);
  assertEquals([done.pathname, done.searchParams.get("telegram_bind")], ["/oauth/telegram", "success"]);
  assertEquals(await telegramIdOf(h, alice.userId), "777");
  // The flow token is spent.
  const again = await bind(h, "", callbackUrl, await widget("777", 6));
  assertEquals(again.searchParams.get("error_code"), "TELEGRAM_BIND_FLOW_INVALID");
  // Bob cannot take alice's Telegram account.
  const bobStart = (await bob.call("POST", "/api/oauth/telegram/bind/start")).body.data;
  const taken = await bind(h, "", bobStart.callback_url, await widget("777", 7));
  assertEquals(taken.searchParams.get("error_code"), "TELEGRAM_BIND_ALREADY_BOUND");

  // Sign-in: the bound account signs in as alice, with a session that works.
  const login = await h.call("GET", `/api/oauth/telegram/login?${await widget("777", 8)}`);
  const signedIn = await answer(login.clone());
  assertEquals([signedIn.body.success, signedIn.body.data.id], [true, alice.userId], signedIn.text);
  const self = await anonymous(h, "GET", "/api/user/self", undefined, { cookie: sessionCookieOf(login)! });
  assertEquals(self.body.data.username, "alice");
  // The same answer again: spent.
  const replay = await anonymous(h, "GET", `/api/oauth/telegram/login?${await widget("777", 8)}`);
  assertEquals([replay.status, replay.body.success], [403, false]);
  // A stale one, another bot's, an unbound account.
  assertEquals(
    (await anonymous(h, "GET", `/api/oauth/telegram/login?${await widget("777", 301)}`)).status,
    401,
  );
  const otherBot = await signTelegram({ id: "777", auth_date: String(Math.floor(Date.now() / 1000)) }, "1:x");
  assertEquals((await anonymous(h, "GET", `/api/oauth/telegram/login?${otherBot}`)).status, 401);
  const unbound = await anonymous(h, "GET", `/api/oauth/telegram/login?${await widget("999")}`);
  assertEquals([unbound.status, unbound.body.success], [404, false]);
});

appTest("a flow whose session signed out, or of a disabled user, does not bind", async (h) => {
  const { alice, bob, admin } = await configure(h);
  const flow = (await alice.call("POST", "/api/oauth/telegram/bind/start")).body.data;
  assertEquals((await alice.call("POST", "/api/user/logout")).status < 300, true);
  const out = await bind(h, "", flow.callback_url, await widget("501"));
  assertEquals(out.searchParams.get("error_code"), "TELEGRAM_BIND_SESSION_INVALID");
  assertEquals((await telegramIdOf(h, alice.userId)) ?? "", "");

  const bobFlow = (await bob.call("POST", "/api/oauth/telegram/bind/start")).body.data;
  await admin.call("POST", "/api/user/manage", { id: bob.userId, action: "disable" });
  const disabled = await bind(h, "", bobFlow.callback_url, await widget("502"));
  assertEquals(disabled.searchParams.get("error_code"), "TELEGRAM_BIND_USER_DISABLED");
  // An unknown flow token.
  const unknown = await bind(h, "", "/api/oauth/telegram/bind/not-a-flow", await widget("503"));
  assertEquals(unknown.searchParams.get("error_code"), "TELEGRAM_BIND_FLOW_INVALID");
});

appTest("off: login refused in the envelope, bind/start refused, the callback redirects", async (h) => {
  const { alice } = await configure(h, false);
  const login = await anonymous(h, "GET", `/api/oauth/telegram/login?${await widget("1")}`);
  assertEquals([login.status, login.body.success], [403, false]);
  assertEquals((await alice.call("POST", "/api/oauth/telegram/bind/start")).status, 403);
  const off = await bind(h, "", "/api/oauth/telegram/bind/x", await widget("1"));
  assertEquals(off.searchParams.get("error_code"), "TELEGRAM_BIND_DISABLED");
  // Signed out callers cannot start a bind.
  assertEquals((await anonymous(h, "POST", "/api/oauth/telegram/bind/start")).status, 401);
});
