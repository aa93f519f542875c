/** `GET /api/pricing`: models served by enabled channels, their prices and the caller's usable groups. */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast } from "../../support/console_client.ts";

appTest("pricing lists served models with ratio or fixed price, per usable group", async (h) => {
  const { root, alice } = await cast(h);
  await root.call("PUT", "/api/option/", { key: "GroupRatio", value: '{"default":1,"vip":2,"svip":3}' });
  await root.call("PUT", "/api/option/", { key: "GroupGroupRatio", value: '{"default":{"vip":1.5}}' });
  await root.call("PUT", "/api/option/", { key: "ModelRatio", value: '{"priced-by-token":2.5}' });
  await root.call("PUT", "/api/option/", { key: "CompletionRatio", value: '{"priced-by-token":4}' });
  await root.call("PUT", "/api/option/", { key: "ModelPrice", value: '{"priced-per-call":0.04}' });
  const channel = (name: string, models: string, groups: string[]) =>
    root.call("POST", "/api/channel/", {
      mode: "single",
      channel: { type: 1, name, key: "k", models, groups },
    });
  await channel("a", "priced-by-token,priced-per-call", ["default", "vip"]);
  await channel("b", "svip-only", ["svip"]);
  const off = await channel("c", "switched-off", ["default"]);
  await root.call("POST", `/api/channel/${off.body.data.ids[0]}/status`, { status: 2 });

  const anon = await anonymous(h, "GET", "/api/pricing");
  assertEquals(anon.status, 200);
  assertEquals(anon.body.success, true);
  assertEquals(anon.body.data.map((p: { model_name: string }) => p.model_name), [
    "priced-by-token",
    "priced-per-call",
  ], "disabled channels and unusable groups are left out");
  const [byToken, perCall] = anon.body.data;
  assertEquals(
    [byToken.quota_type, byToken.model_ratio, byToken.completion_ratio, byToken.enable_groups],
    [0, 2.5, 4, ["default", "vip"]],
  );
  assertEquals([perCall.quota_type, perCall.model_price], [1, 0.04]);
  assertEquals(anon.body.group_ratio, { default: 1, vip: 2 }, "base ratios for visitors");
  assertEquals(Object.keys(anon.body.usable_group), ["default", "vip"]);

  const own = (await alice.call("GET", "/api/pricing")).body;
  assertEquals(own.group_ratio, { default: 1, vip: 1.5 }, "the user group's special ratio applies");
  await root.call("PUT", "/api/user/", { id: alice.userId, group: "svip" });
  const svip = (await alice.call("GET", "/api/pricing")).body;
  assertEquals(svip.data.map((p: { model_name: string }) => p.model_name).includes("svip-only"), true);
});
