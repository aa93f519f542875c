/**
 * Invitations: `GET /api/user/aff` makes one code per user (also under concurrency); registering with it
 * grants QuotaForInvitee to the newcomer and QuotaForInviter to the inviter, once per registration;
 * `POST /api/user/aff_transfer` moves at most the earned reward, exactly, under 20 concurrent transfers.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast, login } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const PER_UNIT = 500000;

appTest(
  "an invitation code rewards invitee and inviter once; rewards move to the balance exactly",
  async (h) => {
    const { root, alice } = await cast(h);
    for (
      const [key, value] of [["QuotaForInviter", PER_UNIT * 3], ["QuotaForInvitee", 777], [
        "QuotaForNewUser",
        100,
      ]]
    ) {
      assertEquals((await root.call("PUT", "/api/option/", { key, value })).body.success, true);
    }
    const codes = await Promise.all(Array.from({ length: 5 }, () => alice.call("GET", "/api/user/aff")));
    const code = codes[0].body.data;
    assert(typeof code === "string" && code.length >= 4, codes[0].text);
    assertEquals(new Set(codes.map((c) => c.body.data)).size, 1, "one code however many ask at once");
    assertEquals((await alice.call("GET", "/api/user/self")).body.data.aff_code, code);

    for (const name of ["carol", "dave"]) {
      const r = await anonymous(h, "POST", "/api/user/register", {
        username: name,
        password: `${name}-password`,
        aff_code: code,
      }, { origin: "http://localhost" });
      assertEquals(r.body.success, true, r.text);
    }
    // A second registration under a taken name rewards nobody.
    const taken = await anonymous(h, "POST", "/api/user/register", {
      username: "carol",
      password: "carol-password",
      aff_code: code,
    }, { origin: "http://localhost" });
    assertEquals(taken.status, 409);
    const carol = await login(h, "carol", "carol-password");
    const self = (await carol.call("GET", "/api/user/self")).body.data;
    assertEquals([self.quota, self.inviter_id], [100 + 777, alice.userId]);
    const inviter = (await alice.call("GET", "/api/user/self")).body.data;
    assertEquals([inviter.aff_count, inviter.aff_quota, inviter.aff_history_quota], [
      2,
      PER_UNIT * 6,
      PER_UNIT * 6,
    ]);

    // Below one unit is refused; 20 concurrent transfers of 1 unit from 6 earned: exactly 6 succeed.
    const small = await alice.call("POST", "/api/user/aff_transfer", { quota: PER_UNIT - 1 });
    assertEquals([small.status, small.body.success], [400, false]);
    const before = inviter.quota;
    const tries = await Promise.all(
      Array.from({ length: 20 }, () => alice.call("POST", "/api/user/aff_transfer", { quota: PER_UNIT })),
    );
    assertEquals(tries.filter((t) => t.body.success).length, 6, tries.map((t) => t.text).join("\n"));
    const after = (await alice.call("GET", "/api/user/self")).body.data;
    assertEquals([after.quota - before, after.aff_quota, after.aff_history_quota], [
      PER_UNIT * 6,
      0,
      PER_UNIT * 6,
    ]);
    const row = await queryOne<{ q: unknown }>(h.deps.db, "SELECT quota AS q FROM users WHERE id = ?", [
      alice.userId,
    ]);
    assertEquals(asInt(row?.q), after.quota);
    assertEquals((await alice.call("POST", "/api/user/aff_transfer", { quota: -5 })).status, 400);
    assertEquals((await alice.call("POST", "/api/user/aff_transfer", { quota: "1e9" })).status, 400);
  },
);
