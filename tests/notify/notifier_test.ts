/**
 * Notifications end to end through the KV queue: real local receivers (allowed through the SSRF
 * allow-list on 127.0.0.2), real signatures, the throttle and retries with backoff.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { openKv } from "../../kv/kv.ts";
import { QueueRouter } from "../../kv/queue.ts";
import { defaultFetchSetting, type FetchSetting } from "../../net/fetch_setting.ts";
import {
  type DeliveryOutcome,
  Notifier,
  type NotifierOptions,
  type Recipient,
} from "../../notify/notifier.ts";
import { channelDisabledNotice } from "../../notify/notice.ts";
import { parseUserSetting } from "../../notify/user_setting.ts";
import { startFakeSmtp, testCa } from "../support/fake_smtp.ts";

interface Hit {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

function receiver(answer: (n: number) => number = () => 200) {
  const hits: Hit[] = [];
  const server = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen() {} }, async (req) => {
    hits.push({ method: req.method, url: new URL(req.url), headers: req.headers, body: await req.text() });
    return new Response("ok", { status: answer(hits.length) });
  });
  return { url: `http://127.0.0.2:${server.addr.port}`, hits, close: () => server.shutdown() };
}

/** The allow-list that lets tests reach receivers on 127.0.0.2 and nothing else private. */
const allowReceivers: FetchSetting = {
  ...defaultFetchSetting,
  allowPrivateIp: true,
  ipFilterMode: true,
  ipList: ["127.0.0.2"],
  allowedPorts: [],
};

async function withNotifier(
  fn: (n: Notifier, outcomes: Outcomes) => Promise<void>,
  options: Partial<NotifierOptions> = {},
) {
  const kv = await openKv({ kvPath: ":memory:" });
  const outcomes = new Outcomes();
  const notifier = new Notifier({
    kv,
    cryptoSecret: "c".repeat(32),
    throttle: { count: 2, minutes: 10 },
    fetchSetting: () => allowReceivers,
    email: () => null,
    retry: { attempts: 3, baseDelayMs: 30 },
    onOutcome: (o) => outcomes.add(o),
    ...options,
  });
  const router = new QueueRouter();
  notifier.register(router);
  const listening = router.listen(kv);
  try {
    await fn(notifier, outcomes);
  } finally {
    kv.close();
    await listening;
  }
}

class Outcomes {
  list: DeliveryOutcome[] = [];
  #waiters: [number, () => void][] = [];
  add(o: DeliveryOutcome) {
    this.list.push(o);
    this.#waiters = this.#waiters.filter(([n, wake]) => this.list.length >= n ? (wake(), false) : true);
  }
  wait(n: number, ms = 5000): Promise<void> {
    if (this.list.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.list.length} of ${n} outcomes`)), ms);
      this.#waiters.push([n, () => (clearTimeout(timer), resolve())]);
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hmacHex(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

const webhookUser = (url: string, extra = ""): Recipient => ({
  userId: 42,
  email: "user@example.com",
  setting: parseUserSetting(
    `{"notify_type":"webhook","webhook_url":"${url}/hook","webhook_secret":"s3cret","quota_warning_threshold":5000${extra}}`,
  ),
});

Deno.test("a request that drops a user below the threshold delivers exactly one signed webhook", async () => {
  const rx = receiver();
  try {
    await withNotifier(async (notifier, outcomes) => {
      const user = webhookUser(rx.url);
      const quota = {
        siteThreshold: 1000,
        remaining: "$0.008",
        topUpLink: "https://gw.example/console/topup",
      };
      assertEquals(
        await notifier.notifyQuotaIfLow(user, { ...quota, before: 20000, charged: 1000 }),
        "above_threshold",
      );
      assertEquals(
        await notifier.notifyQuotaIfLow(user, { ...quota, before: 6000, charged: 2000 }),
        "queued",
      );
      await outcomes.wait(1);
      await sleep(100);
      assertEquals(rx.hits.length, 1);
      const hit = rx.hits[0];
      assertEquals(hit.method, "POST");
      assertEquals(hit.url.pathname, "/hook");
      const timestamp = hit.headers.get("x-webhook-timestamp")!;
      assert(Math.abs(Number(timestamp) - Date.now() / 1000) < 10, "fresh timestamp");
      assertEquals(
        hit.headers.get("x-webhook-signature"),
        `sha256=${await hmacHex("s3cret", `${timestamp}.${hit.body}`)}`,
      );
      const payload = JSON.parse(hit.body);
      assertEquals(payload.type, "quota_exceed");
      assertEquals(payload.timestamp, Number(timestamp));
      assertMatch(payload.content, /\$0\.008.*gw\.example\/console\/topup/);
      assertEquals(outcomes.list, [{
        userId: 42,
        type: "quota_exceed",
        via: "webhook",
        delivered: true,
        attempts: 1,
      }]);
    });
  } finally {
    await rx.close();
  }
});

Deno.test("the throttle stops the third notification of a type within the window", async () => {
  const rx = receiver();
  try {
    await withNotifier(async (notifier, outcomes) => {
      const user = webhookUser(rx.url);
      const notice = channelDisabledNotice(3, "openai-main", "401 invalid key");
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await notifier.notifyUser(user, notice));
      assertEquals(results, ["queued", "queued", "throttled"]);
      await outcomes.wait(2);
      await sleep(100);
      assertEquals(rx.hits.length, 2);
      const other = await notifier.notifyUser({ ...user, userId: 43 }, notice);
      assertEquals(other, "queued", "per user");
    });
  } finally {
    await rx.close();
  }
});

Deno.test("a failing receiver is retried with backoff, then given up; a recovering one gets it", async () => {
  const flaky = receiver((n) => n < 3 ? 500 : 200);
  const dead = receiver(() => 500);
  try {
    await withNotifier(async (notifier, outcomes) => {
      const started = Date.now();
      await notifier.notifyUser(webhookUser(flaky.url), channelDisabledNotice(1, "a", "x"));
      await notifier.notifyUser({ ...webhookUser(dead.url), userId: 7 }, channelDisabledNotice(1, "a", "x"));
      await outcomes.wait(2);
      const byUser = Object.fromEntries(outcomes.list.map((o) => [o.userId, o]));
      assertEquals(byUser[42].delivered, true);
      assertEquals(byUser[42].attempts, 3);
      assertEquals(flaky.hits.length, 3);
      assertEquals(byUser[7].delivered, false);
      assertEquals(byUser[7].attempts, 3);
      assertEquals(byUser[7].error, "webhook answered 500");
      assertEquals(dead.hits.length, 3, "attempts in all, then given up");
      assert(Date.now() - started >= 30 + 60, "waited 30 ms, then 60 ms between attempts");
      const stamps = flaky.hits.map((h) => h.headers.get("x-webhook-signature"));
      assert(stamps.every(Boolean), "every attempt signed");
    });
  } finally {
    await flaky.close();
    await dead.close();
  }
});

Deno.test("a webhook URL pointing inside the network is refused once, never retried, never reached", async () => {
  let canaryHits = 0;
  const canary = Deno.serve({ hostname: "::", port: 0, onListen() {} }, () => {
    canaryHits++;
    return new Response("canary");
  });
  try {
    await withNotifier(async (notifier, outcomes) => {
      const hosts = [
        "127.0.0.1",
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
        "10.0.0.1",
        "localhost",
      ];
      for (const [i, host] of hosts.entries()) {
        const url = `http://${host}:${canary.addr.port}`;
        await notifier.notifyUser(
          { ...webhookUser(url), userId: 100 + i },
          channelDisabledNotice(1, "a", "x"),
        );
      }
      await outcomes.wait(hosts.length);
      assert(outcomes.list.every((o) => !o.delivered && o.attempts === 1), JSON.stringify(outcomes.list));
      assert(outcomes.list.every((o) => /not public/.test(o.error!)), "refused by the address rule");
      assertEquals(canaryHits, 0);
    }, { fetchSetting: () => ({ ...defaultFetchSetting, allowedPorts: [] }) });
  } finally {
    await canary.shutdown();
  }
});

Deno.test("Bark and Gotify receive New API's requests", async () => {
  const rx = receiver();
  try {
    await withNotifier(async (notifier, outcomes) => {
      await notifier.notifyUser({
        userId: 1,
        setting: parseUserSetting(
          `{"notify_type":"bark","bark_url":"${rx.url}/KEY/{{title}}/{{content}}?group=api"}`,
        ),
      }, channelDisabledNotice(9, "claude & co", "quota"));
      await notifier.notifyUser({
        userId: 2,
        setting: parseUserSetting(
          `{"notify_type":"gotify","gotify_url":"${rx.url}/gotify/","gotify_token":"tok en","gotify_priority":42}`,
        ),
      }, channelDisabledNotice(9, "claude & co", "quota"));
      await outcomes.wait(2);
      const bark = rx.hits.find((h) => h.method === "GET")!;
      const [, key, title, content] = bark.url.pathname.split("/");
      assertEquals(key, "KEY");
      assertEquals(decodeURIComponent(title), 'Channel "claude & co" (#9) has been disabled');
      assertEquals(
        decodeURIComponent(content),
        'Channel "claude & co" (#9) has been disabled. Reason: quota',
      );
      assertEquals(bark.url.searchParams.get("group"), "api");
      const gotify = rx.hits.find((h) => h.method === "POST")!;
      assertEquals(gotify.url.pathname, "/gotify/message");
      assertEquals(gotify.url.searchParams.get("token"), "tok en");
      assertEquals(JSON.parse(gotify.body), {
        title: 'Channel "claude & co" (#9) has been disabled',
        message: 'Channel "claude & co" (#9) has been disabled. Reason: quota',
        priority: 5,
      });
    });
  } finally {
    await rx.close();
  }
});

Deno.test("email is the default channel, to the notification email or else the account's", async () => {
  const smtp = await startFakeSmtp({ starttls: true, user: "bot@hooks.test", password: "pw" });
  try {
    await withNotifier(async (notifier, outcomes) => {
      assertEquals(
        await notifier.notifyUser({ userId: 1, setting: {} }, channelDisabledNotice(1, "a", "x")),
        "no_destination",
      );
      await notifier.notifyUser(
        { userId: 2, email: "acct@example.com", setting: {} },
        channelDisabledNotice(1, "a", "x"),
      );
      await notifier.notifyUser(
        {
          userId: 3,
          email: "acct@example.com",
          setting: parseUserSetting('{"notification_email":"ops@example.com"}'),
        },
        channelDisabledNotice(1, "a", "x"),
      );
      await outcomes.wait(2);
      assertEquals(smtp.mails.map((m) => m.to[0]).sort(), ["acct@example.com", "ops@example.com"]);
    }, {
      email: () => ({
        server: "127.0.0.1",
        port: smtp.port,
        account: "bot@hooks.test",
        token: "pw",
        from: "bot@hooks.test",
        systemName: "New API",
        caCerts: [testCa],
      }),
    });
  } finally {
    await smtp.close();
  }
});
