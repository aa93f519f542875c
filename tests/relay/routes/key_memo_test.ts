/**
 * The relay remembers the hash of a key that matched a token, but looks the token up on every request: a
 * key replaced or deleted after it was used is refused on the next request, and the new key works at once.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup } from "../../support/relay.ts";
import { deleteTokens, regenerateTokenKey } from "../../../store/tokens.ts";
import { testSecrets } from "../../support/stores.ts";

const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

appTest("a used key that was replaced or deleted is refused on the next request", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  for (let i = 0; i < 2; i++) assertEquals((await chat(h, s.key, body)).status, 200);
  const next = await regenerateTokenKey(h.deps.db, testSecrets.cryptoSecret, s.tokenId, s.userId);
  await h.deps.cache.publish({ kind: "token", id: s.tokenId });
  const old = await chat(h, s.key, body);
  assertEquals(old.status, 401, "the replaced key");
  assertEquals((await chat(h, next!, body)).status, 200, "the new key");
  assertEquals(await deleteTokens(h.deps.db, [s.tokenId], s.userId), 1);
  await h.deps.cache.publish({ kind: "token", id: s.tokenId });
  assertEquals((await chat(h, next!, body)).status, 401, "the deleted token's key");
  assertEquals(fake.requestCount, 3);
});
