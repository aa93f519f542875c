/**
 * New API's session list and revocation: `GET /api/user/sessions` lists the caller's live sessions in its
 * LoginSessionView shape, `DELETE /api/user/sessions/:sid` and `POST /api/user/sessions/revoke-others`
 * end them at once (the revoked cookie is refused on its next request), nobody can end another user's
 * session, an access token is not a session, and `POST /api/user/auth/logout` signs out.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast, login, tokenClient } from "../../support/console_client.ts";
import { insertSession } from "../../../store/sessions.ts";
import { nowSeconds } from "../../../store/db.ts";

const VIEW_KEYS = [
  "created_at",
  "current",
  "expires_at",
  "ip",
  "last_active_at",
  "login_method",
  "sid",
  "user_agent",
];

appTest(
  "the session list shows the caller's live sessions, marks this one, and hides everyone else's",
  async (h) => {
    const { alice, bob } = await cast(h);
    const phone = await login(h, "alice", "alice-password");
    const listed = await alice.call("GET", "/api/user/sessions");
    assertEquals(listed.status, 200);
    assertEquals(listed.headers.get("cache-control"), "no-store");
    const rows = listed.body.data as Record<string, unknown>[];
    assertEquals(rows.length, 2);
    for (const row of rows) assertEquals(Object.keys(row).sort(), VIEW_KEYS);
    assertEquals(rows.filter((r) => r.current).length, 1);
    assertEquals(rows.every((r) => r.login_method === "password"), true);
    assert(rows.every((r) => typeof r.sid === "string" && /^[0-9a-f-]{36}$/.test(r.sid as string)));
    // The listed id is not the cookie, nor the stored hash.
    const dump = JSON.stringify(rows);
    assert(!dump.includes(alice.cookie!.slice("session=".length)) && !dump.includes("s1:"));
    const bobs = (await bob.call("GET", "/api/user/sessions")).body.data as { sid: string }[];
    assertEquals(bobs.length, 1);
    assert(!rows.some((r) => r.sid === bobs[0].sid));
    // Bob cannot end Alice's session: it is not his.
    const phoneSid =
      ((await phone.call("GET", "/api/user/sessions")).body.data as { sid: string; current: boolean }[])
        .find((r) => r.current)!.sid;
    const foreign = await bob.call("DELETE", `/api/user/sessions/${phoneSid}`);
    assertEquals([foreign.status, foreign.body.code], [404, "AUTH_SESSION_NOT_FOUND"]);
    assertEquals((await phone.call("GET", "/api/user/self")).status, 200);
  },
);

appTest("revoking a session refuses its cookie on the very next request", async (h) => {
  const { alice } = await cast(h);
  const phone = await login(h, "alice", "alice-password");
  const tablet = await login(h, "alice", "alice-password");
  const rows = (await alice.call("GET", "/api/user/sessions")).body.data as {
    sid: string;
    current: boolean;
  }[];
  const phoneSid = ((await phone.call("GET", "/api/user/sessions")).body.data as typeof rows).find((r) =>
    r.current
  )!.sid;
  const revoked = await alice.call("DELETE", `/api/user/sessions/${phoneSid}`);
  assertEquals(revoked.body, { success: true, message: "", data: { revoked_sid: phoneSid, current: false } });
  assertEquals((await phone.call("GET", "/api/user/self")).status, 401, "revoked at once");
  assertEquals((await tablet.call("GET", "/api/user/self")).status, 200);
  const again = await alice.call("DELETE", `/api/user/sessions/${phoneSid}`);
  assertEquals(again.status, 404);
  assertEquals(rows.length, 3);

  const others = await alice.call("POST", "/api/user/sessions/revoke-others");
  assertEquals(others.body.data, { revoked_count: 1 });
  assertEquals((await tablet.call("GET", "/api/user/self")).status, 401);
  assertEquals((await alice.call("GET", "/api/user/self")).status, 200, "this session stays");
  const left = (await alice.call("GET", "/api/user/sessions")).body.data as { current: boolean }[];
  assertEquals(left.map((r) => r.current), [true]);

  // Ending the current session signs this browser out.
  const mine = (left as unknown as { sid: string }[])[0].sid;
  const self = await alice.call("DELETE", `/api/user/sessions/${mine}`);
  assertEquals(self.body.data, { revoked_sid: mine, current: true });
  assert(self.headers.getSetCookie().some((l) => l.startsWith("session=;")));
  assertEquals((await alice.call("GET", "/api/user/self")).status, 401);
});

appTest(
  "an access token is not a console session; a session made before sids had one is still named",
  async (h) => {
    const { alice } = await cast(h);
    const token = tokenClient(h, (await alice.call("GET", "/api/user/token")).body.data, alice.userId);
    for (
      const [method, path] of [["GET", "/api/user/sessions"], ["POST", "/api/user/sessions/revoke-others"]]
    ) {
      const refused = await token.call(method, path);
      assertEquals([refused.status, refused.body.code], [403, "AUTH_SESSION_REQUIRED"], path);
    }
    // A row from before this change (no sid) lists as `id-<id>` and can be revoked by that name.
    const id = await insertSession(h.deps.db, {
      userId: alice.userId,
      hash: "s1:legacy",
      authVersion: 1,
      expiresAt: nowSeconds() + 3600,
      userAgent: "old",
      sid: "",
    });
    const rows = (await alice.call("GET", "/api/user/sessions")).body.data as { sid: string }[];
    assert(rows.some((r) => r.sid === `id-${id}`), JSON.stringify(rows));
    assertEquals((await alice.call("DELETE", `/api/user/sessions/id-${id}`)).status, 200);
    assertEquals((await alice.call("DELETE", `/api/user/sessions/id-${id}`)).status, 404);
  },
);

appTest("POST /api/user/auth/logout signs out; without a session it still answers success", async (h) => {
  const { alice } = await cast(h);
  const out = await alice.call("POST", "/api/user/auth/logout");
  assertEquals(out.body, { success: true, message: "" });
  assertEquals((await alice.call("GET", "/api/user/self")).status, 401);
  assertEquals(
    (await h.call("POST", "/api/user/auth/logout", undefined, { origin: "http://localhost" })).status,
    200,
  );
});
