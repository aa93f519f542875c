/**
 * An admin script signs in with a password and writes with the session cookie and `New-Api-User`, as
 * New API's own console and scripts do, sending no Origin (curl, requests, Go's http). That is no
 * browser's cross-site request and passes; a browser's cross-site write (foreign Origin, or
 * Sec-Fetch-Site other than same-origin) is still refused, and `New-Api-User` must name the session's user.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { answer, cast, sessionCookieOf } from "../../support/console_client.ts";

appTest(
  "a cookie script with New-Api-User and no Origin writes; browsers' cross-site writes are refused",
  async (h) => {
    const { alice } = await cast(h);
    // Signed in exactly as curl would: no Origin, no Sec-Fetch-*.
    const signedIn = await h.call("POST", "/api/user/login", {
      username: "root",
      password: "root-password-1",
    });
    const cookie = sessionCookieOf(signedIn)!;
    const rootId = (await answer(signedIn)).body.data.id as number;
    const write = async (headers: Record<string, string>) =>
      await answer(
        await h.call("POST", "/api/token/", { name: "script", remain_quota: 1 }, { cookie, ...headers }),
      );

    const scripted = await write({ "new-api-user": String(rootId) });
    assertEquals([scripted.status, scripted.body.success], [200, true], scripted.text);
    const option = await answer(
      await h.call("PUT", "/api/option/", { key: "QuotaForNewUser", value: "42" }, {
        cookie,
        "new-api-user": String(rootId),
      }),
    );
    assertEquals([option.status, option.body.success], [200, true], option.text);

    // New-Api-User must be the session's user.
    const other = await write({ "new-api-user": String(alice.userId) });
    assertEquals([other.status, other.body.success], [401, false]);
    // Neither header nor New-Api-User: nothing shows the request was meant; refused as before.
    const bare = await write({});
    assertEquals([bare.status, bare.body.message], [403, "Cross-site request refused."]);
    // A browser's cross-site write is refused even with the header.
    for (
      const headers of <Record<string, string>[]> [
        { origin: "https://evil.example" },
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
        { origin: "null" },
      ]
    ) {
      const refused = await write({ ...headers, "new-api-user": String(rootId) });
      assertEquals([refused.status, refused.body.success], [403, false], JSON.stringify(headers));
    }
    // The same-origin console write still works.
    const console = await write({ origin: "http://localhost", "new-api-user": String(rootId) });
    assertEquals(console.status, 200, console.text);
  },
);
