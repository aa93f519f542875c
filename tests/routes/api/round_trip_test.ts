/**
 * New API's console edits by sending back the whole object it read, with one field changed. Every read
 * shape must therefore be accepted by its update route, including stored statuses it cannot set.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";

appTest("token, channel, user and redemption reads can be sent back as updates", async (h) => {
  const { root, alice } = await cast(h);

  const token = (await alice.call("POST", "/api/token/", { name: "t", remain_quota: 5 })).body.data;
  await h.deps.db.exec("UPDATE tokens SET status = 4 WHERE id = ?", [token.id]);
  const readToken = (await alice.call("GET", `/api/token/${token.id}`)).body.data;
  const savedToken = await alice.call("PUT", "/api/token/", { ...readToken, name: "t2", remain_quota: 50 });
  assertEquals([savedToken.body.data.name, savedToken.body.data.status], ["t2", 4], savedToken.text);
  assertEquals(
    (await alice.call("PUT", "/api/token/?status_only=true", { id: token.id, status: 4 })).status,
    400,
  );
  assertEquals(
    (await alice.call("PUT", "/api/token/?status_only=true", { id: token.id, status: 1 })).body.data.status,
    1,
  );

  const [channelId] = (await root.call("POST", "/api/channel/", {
    mode: "multi_to_single",
    channel: { type: 1, name: "c", key: "a\nb", models: "m", model_mapping: '{"x":"y"}' },
  })).body.data.ids;
  await h.deps.db.exec("UPDATE channels SET status = 3 WHERE id = ?", [channelId]);
  const readChannel = (await root.call("GET", `/api/channel/${channelId}`)).body.data;
  const savedChannel = await root.call("PUT", "/api/channel/", { ...readChannel, name: "c2" });
  assertEquals([savedChannel.body.data.name, savedChannel.body.data.status], ["c2", 3], savedChannel.text);
  assertEquals(h.deps.catalog.channel(channelId)?.keys, ["a", "b"], "the empty key kept the stored keys");

  const readUser = (await root.call("GET", `/api/user/${alice.userId}`)).body.data;
  const savedUser = await root.call("PUT", "/api/user/", { ...readUser, display_name: "Alice" });
  assertEquals(savedUser.body.data.display_name, "Alice", savedUser.text);

  const [code] = (await root.call("POST", "/api/redemption/", { name: "r", quota: 5 })).body.data;
  await alice.call("POST", "/api/user/topup", { key: code });
  const readCode = (await root.call("GET", "/api/redemption/")).body.data.items[0];
  const savedCode = await root.call("PUT", "/api/redemption/", { ...readCode, name: "r2" });
  assertEquals([savedCode.body.data.name, savedCode.body.data.status], ["r2", 3], savedCode.text);
  assertEquals(
    (await root.call("PUT", "/api/redemption/?status_only=true", { id: readCode.id, status: 1 })).status,
    400,
  );
});
