/**
 * `AdminTwoFactorRequired` (ours; New API has no such option): with it on, an admin or root whose TOTP
 * 2FA is not enabled gets 403 ADMIN_2FA_REQUIRED from every admin route, by session or access token,
 * while the routes to enable 2FA stay open; a root cannot turn it on without 2FA of their own.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast, tokenClient } from "../../support/console_client.ts";
import { base32Decode, hotp, totpStep } from "../../../auth/totp.ts";

async function enableTwoFa(client: ApiClient): Promise<void> {
  const setup = await client.call("POST", "/api/user/2fa/setup");
  assertEquals(setup.body.success, true, setup.text);
  const code = hotp(base32Decode(setup.body.data.secret)!, totpStep(Date.now() / 1000));
  const on = await client.call("POST", "/api/user/2fa/enable", { code });
  assertEquals(on.body.success, true, on.text);
}

const setRule = (root: ApiClient, value: string) =>
  root.call("PUT", "/api/option/", { key: "AdminTwoFactorRequired", value });

appTest(
  "with AdminTwoFactorRequired, admin routes need the admin's 2FA; enabling it opens them",
  async (h) => {
    const { root, admin, alice } = await cast(h);
    // Off (the default): the admin works without 2FA.
    assertEquals((await admin.call("GET", "/api/user/")).status, 200);
    const early = await setRule(root, "true");
    assertEquals(early.status, 400, "a root without 2FA cannot lock themselves out");
    await enableTwoFa(root);
    assertEquals((await setRule(root, "true")).body.success, true);

    const refused = await admin.call("GET", "/api/user/");
    assertEquals([refused.status, refused.body.code], [403, "ADMIN_2FA_REQUIRED"]);
    const adminToken = tokenClient(h, (await admin.call("GET", "/api/user/token")).body.data, admin.userId);
    assertEquals((await adminToken.call("GET", "/api/channel/")).body.code, "ADMIN_2FA_REQUIRED");
    // Their own account and the 2FA setup still answer; common users are untouched.
    assertEquals((await admin.call("GET", "/api/user/self")).status, 200);
    assertEquals((await alice.call("GET", "/api/user/self")).status, 200);
    assertEquals((await root.call("GET", "/api/option/")).status, 200, "root has 2FA");

    await enableTwoFa(admin);
    assertEquals((await admin.call("GET", "/api/user/")).status, 200);
    assertEquals((await adminToken.call("GET", "/api/channel/")).status, 200);

    // Disabling 2FA again closes the admin routes on the next request.
    await h.deps.db.exec("DELETE FROM two_fas WHERE user_id = ?", [admin.userId]);
    assertEquals((await admin.call("GET", "/api/user/")).body.code, "ADMIN_2FA_REQUIRED");
    assertEquals((await setRule(root, "false")).body.success, true);
    assertEquals((await admin.call("GET", "/api/user/")).status, 200);
  },
);
