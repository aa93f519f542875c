/**
 * The console playground (`POST /pg/chat/completions`): the signed-in user, no API key, a group of their
 * choosing (usable groups only), billed to the user with no token; errors in OpenAI's shape.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, relaySetup, settled } from "../../support/relay.ts";
import { ORIGIN, seedUser, setupRoot } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";

appTest("the playground relays for the signed-in user, billed without a token", async (h) => {
  await using fake = await startFakeUpstream();
  await setupRoot(h);
  await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, { key: "key-default" }),
      fakeChannel(fake.url, { key: "key-vip", group: "vip" }),
    ],
  });
  const alice = await seedUser(h, "alice");
  await h.deps.db.exec("UPDATE users SET quota = 100000 WHERE id = ?", [alice.userId]);
  await h.deps.cache.publish({ kind: "user", id: alice.userId });
  const ask = (group?: string) =>
    alice.call("POST", "/pg/chat/completions", {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      ...(group ? { group } : {}),
    });
  const res = await ask();
  assertEquals(res.status, 200, res.text);
  assertEquals(res.body.object, "chat.completion");
  assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer key-default");
  const vip = await ask("vip");
  assertEquals(vip.status, 200, vip.text);
  assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer key-vip");
  assertEquals(fake.lastRequest()!.json.group, undefined, "the group is not forwarded");
  await settled(h);
  const row = await queryOne(
    h.deps.db,
    "SELECT COUNT(*) AS n, MAX(token_id) AS t FROM logs WHERE type = 2 AND user_id = ?",
    [
      alice.userId,
    ],
  );
  assertEquals([asInt(row!.n), asInt(row!.t)], [2, 0]);
  assert(
    (await queryOne(h.deps.db, "SELECT quota FROM users WHERE id = ?", [alice.userId]))!.quota as number <
      100000,
  );

  const denied = await ask("svip-only");
  assertEquals(denied.status, 403);
  assertEquals(denied.body.error.code, "group_unavailable");
  const anonymous = await h.call("POST", "/pg/chat/completions", { model: "gpt-4o-mini", messages: [] }, {
    origin: ORIGIN,
  });
  assertEquals(anonymous.status, 401);
  assertEquals(typeof (await anonymous.json()).error.message, "string");
});
