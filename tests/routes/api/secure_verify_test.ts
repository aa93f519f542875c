/**
 * Secure verification (step-up) as New API: the root-only channel key reveal needs this session verified
 * in the last 5 minutes, by a 2FA code, a passkey assertion, or (for a user with neither) the password.
 * The attacks: `{"method":"passkey"}` with a passkey registered but no assertion (New API's GHSA-5353),
 * another user's passkey, an access token, another session of the same user, an expired mark, an admin.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast, cookieClient, ORIGIN, sessionCookieOf, tokenClient } from "../../support/console_client.ts";
import type { ApiClient } from "../../support/console_client.ts";
import { softAuthenticator } from "../../support/soft_authenticator.ts";
import { updateKey } from "../../../kv/key_update.ts";

async function channelOf(root: ApiClient): Promise<number> {
  const made = await root.call("POST", "/api/channel/", {
    mode: "single",
    channel: {
      type: 1,
      name: "secret-holder",
      key: "sk-step-up-canary-123456",
      models: "gpt-4o",
      group: "default",
    },
  });
  assertEquals(made.body.success, true, made.text);
  const list = await root.call("GET", "/api/channel/?p=1&page_size=10");
  return list.body.data.items[0].id;
}

async function enableTwoFa(client: ApiClient): Promise<string[]> {
  const { base32Decode, hotp, totpStep } = await import("../../../auth/totp.ts");
  const setup = await client.call("POST", "/api/user/2fa/setup");
  const code = hotp(base32Decode(setup.body.data.secret)!, totpStep(Date.now() / 1000));
  assertEquals((await client.call("POST", "/api/user/2fa/enable", { code })).body.success, true);
  return setup.body.data.backup_codes;
}

async function registerPasskey(client: ApiClient) {
  const key = softAuthenticator();
  const begin = await client.call("POST", "/api/user/passkey/register/begin");
  const finish = await client.call(
    "POST",
    "/api/user/passkey/register/finish",
    key.register(begin.body.data.options.publicKey, ORIGIN),
  );
  assertEquals(finish.body.success, true, finish.text);
  return key;
}

async function enablePasskeys(root: ApiClient) {
  for (
    const [key, value] of Object.entries({ "passkey.enabled": "true", ServerAddress: "http://localhost" })
  ) {
    assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true, key);
  }
}

const reveal = (client: ApiClient, id: number, headers?: Record<string, string>) =>
  client.call("POST", `/api/channel/${id}/key`, undefined, headers);

appTest("the channel key needs a fresh step-up of this session; a 2FA code gives one", async (h) => {
  const { root, admin } = await cast(h);
  const id = await channelOf(root);
  const refused = await reveal(root, id);
  assertEquals([refused.status, refused.body.code], [403, "VERIFICATION_REQUIRED"]);
  assert(!refused.text.includes("canary"));
  const backups = await enableTwoFa(root);
  const wrong = await root.call("POST", "/api/verify", { method: "2fa", code: "000000" });
  assertEquals(wrong.status, 400);
  assertEquals((await reveal(root, id)).status, 403);
  const verified = await root.call("POST", "/api/verify", { method: "2fa", code: backups[0] });
  assertEquals(verified.body.success, true, verified.text);
  assertEquals(verified.body.data.method, "2fa");
  const shown = await reveal(root, id);
  assertEquals([shown.status, shown.body.data], [200, { key: "sk-step-up-canary-123456" }]);
  assertEquals(shown.headers.get("cache-control"), "no-store");
  // The mark is this session's: another session of root, and root's access token, are not verified.
  const first = await h.call("POST", "/api/user/login", { username: "root", password: "root-password-1" }, {
    origin: ORIGIN,
  });
  const flowToken = (await first.json()).data.flow_token;
  const second = await h.call("POST", "/api/user/login/2fa", { flow_token: flowToken, code: backups[2] }, {
    origin: ORIGIN,
  });
  const laptop = cookieClient(h, sessionCookieOf(second)!, root.userId);
  assertEquals((await laptop.call("GET", "/api/user/self")).status, 200);
  assertEquals((await reveal(laptop, id)).body.code, "VERIFICATION_REQUIRED");
  const token = tokenClient(h, (await root.call("GET", "/api/user/token")).body.data, root.userId);
  const tokenVerify = await token.call("POST", "/api/verify", { method: "2fa", code: backups[1] }, {
    "New-Api-User": String(root.userId),
  });
  assertEquals(tokenVerify.status, 401, tokenVerify.text);
  const byToken = await reveal(token, id, { "New-Api-User": String(root.userId) });
  assertEquals([byToken.status, byToken.body.code], [403, "VERIFICATION_REQUIRED"], byToken.text);
  // An admin (not root) never reaches it, verified or not.
  assertEquals((await reveal(admin, id)).status, 403);
});

appTest("an expired step-up is refused as VERIFICATION_EXPIRED", async (h) => {
  const { root } = await cast(h);
  const id = await channelOf(root);
  const sessions = await root.call("GET", "/api/user/sessions");
  assertEquals(sessions.status, 200);
  assertEquals(
    (await root.call("POST", "/api/verify", { method: "password", password: "root-password-1" })).status,
    200,
  );
  assertEquals((await reveal(root, id)).status, 200);
  // Age the mark past New API's 300 seconds.
  const rows = await h.deps.db.query<{ id: number }>(
    "SELECT id FROM console_sessions WHERE revoked_at IS NULL",
  );
  for (const r of rows) {
    await updateKey<{ at: number; method: string }, void>(
      h.deps.kv,
      ["secure_verified", Number(r.id)],
      (s) => ({
        state: s ? { ...s, at: s.at - 301_000 } : undefined,
        result: undefined,
      }),
    );
  }
  const expired = await reveal(root, id);
  assertEquals([expired.status, expired.body.code], [403, "VERIFICATION_EXPIRED"]);
  assertEquals((await reveal(root, id)).body.code, "VERIFICATION_REQUIRED", "the expired mark is gone");
});

appTest(
  "a password proves nothing for a user with a second factor, and wrong ones are refused",
  async (h) => {
    const { root } = await cast(h);
    const id = await channelOf(root);
    assertEquals(
      (await root.call("POST", "/api/verify", { method: "password", password: "nope-nope-1" })).status,
      400,
    );
    assertEquals((await reveal(root, id)).status, 403);
    await enableTwoFa(root);
    const refused = await root.call("POST", "/api/verify", {
      method: "password",
      password: "root-password-1",
    });
    assertEquals(refused.status, 400);
    assertEquals((await reveal(root, id)).status, 403);
    assertEquals((await root.call("POST", "/api/verify", { method: "sms", code: "1" })).status, 400);
  },
);

appTest(
  "GHSA-5353: {method:'passkey'} without an assertion verifies nothing; a real assertion does",
  async (h) => {
    const { root, alice } = await cast(h);
    await enablePasskeys(root);
    const id = await channelOf(root);
    const key = await registerPasskey(root);
    const bypass = await root.call("POST", "/api/verify", { method: "passkey" });
    assertEquals(bypass.status, 400);
    assertEquals((await reveal(root, id)).body.code, "VERIFICATION_REQUIRED");

    // Alice's own passkey, answering root's challenge, is refused.
    const aliceKey = await registerPasskey(alice);
    const begin = await root.call("POST", "/api/user/passkey/verify/begin");
    assertEquals(begin.body.success, true, begin.text);
    const options = begin.body.data.options.publicKey;
    const foreign = await root.call(
      "POST",
      "/api/user/passkey/verify/finish",
      aliceKey.assert(options, ORIGIN),
    );
    assertEquals(foreign.status, 400);
    assertEquals((await reveal(root, id)).status, 403);

    // A fresh ceremony, root's passkey: verified; its challenge is spent.
    const again = await root.call("POST", "/api/user/passkey/verify/begin");
    const assertion = key.assert(again.body.data.options.publicKey, ORIGIN);
    const done = await root.call("POST", "/api/user/passkey/verify/finish", assertion);
    assertEquals(done.body.success, true, done.text);
    assertEquals(done.body.data.method, "passkey");
    assertEquals((await reveal(root, id)).status, 200);
    assertEquals(
      (await root.call("POST", "/api/user/passkey/verify/finish", assertion)).status,
      400,
      "replayed",
    );
  },
);
