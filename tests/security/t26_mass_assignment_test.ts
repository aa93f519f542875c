/**
 * T26 mass-assignment, the token half (user_self_test.ts pins PUT /api/user/self): a token create or
 * update that names its owner, key, id, usage counters or the owner's balance and role changes none of
 * them; the token stays the caller's, with a key the server made.
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { cast } from "../support/console_client.ts";
import { asInt, queryOne } from "../../store/db.ts";

const forbidden = (bobId: number) => ({
  user_id: bobId,
  key: "sk-chosenbytheattacker000000000000000000000000000",
  id: 999_999,
  used_quota: -1_000_000_000,
  created_time: 1,
  accessed_time: 1,
  quota: 1e12,
  role: 100,
});

appTest("token create and update ignore owner, key, id, counters and account fields", async (h) => {
  const { alice, bob } = await cast(h);
  const userBefore = await queryOne(h.deps.db, "SELECT quota, role FROM users WHERE id = ?", [alice.userId]);
  const created = await alice.call("POST", "/api/token/", { name: "mine", ...forbidden(bob.userId) });
  assertEquals(created.body.success, true, created.text);
  const t = created.body.data;
  assert(t.id !== 999_999, "the id is the server's");
  assertMatch(t.key, /^sk-[A-Za-z0-9]{48}$/);
  assert(!t.key.includes("chosenbytheattacker"), "the key is the server's");

  const updated = await alice.call("PUT", "/api/token/", {
    ...forbidden(bob.userId),
    id: t.id,
    name: "mine2",
  });
  assertEquals(updated.body.success, true, updated.text);

  const row = await queryOne(
    h.deps.db,
    "SELECT user_id, used_quota, created_time, name FROM tokens WHERE id = ?",
    [t.id],
  );
  assertEquals(asInt(row?.user_id), alice.userId, "still alice's token");
  assertEquals(asInt(row?.used_quota), 0);
  assert(asInt(row?.created_time) > 1);
  assertEquals(row?.name, "mine2");
  assertEquals(
    asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM tokens WHERE user_id = ?", [bob.userId]))?.n),
    0,
    "nothing was created for bob",
  );
  const userAfter = await queryOne(h.deps.db, "SELECT quota, role FROM users WHERE id = ?", [alice.userId]);
  assertEquals([asInt(userAfter?.quota), asInt(userAfter?.role)], [
    asInt(userBefore?.quota),
    asInt(userBefore?.role),
  ]);
  assertEquals((await alice.call("GET", "/api/token/?p=1&size=10")).body.data.items.length, 1);
});
