/** Groups, ratios and the models a user may call, from the options and the catalog's routing index. */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast } from "../../support/console_client.ts";

appTest("usable groups with ratios; models per usable group from enabled channels", async (h) => {
  const { root, alice } = await cast(h);
  await root.call("PUT", "/api/option/", { key: "GroupRatio", value: '{"default":1,"vip":1.5,"svip":3}' });
  await root.call("PUT", "/api/option/", { key: "GroupGroupRatio", value: '{"default":{"vip":1.2}}' });
  await root.call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name: "a", key: "k", models: "gpt-b,gpt-a", groups: ["default"] },
  });
  await root.call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name: "b", key: "k", models: "vip-model", groups: ["vip"] },
  });
  await root.call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name: "c", key: "k", models: "svip-model", groups: ["svip"] },
  });
  assertEquals((await root.call("GET", "/api/group/")).body.data, ["default", "vip", "svip"]);
  const groups = (await alice.call("GET", "/api/user/self/groups")).body.data;
  assertEquals(groups, {
    default: { ratio: 1, desc: "Default group" },
    vip: { ratio: 1.2, desc: "VIP group" },
  });
  assertEquals(
    (await anonymous(h, "GET", "/api/user/groups")).body.data.vip.ratio,
    1.5,
    "anonymous: base ratios",
  );
  assertEquals((await alice.call("GET", "/api/user/groups")).body.data.vip.ratio, 1.2);
  assertEquals((await alice.call("GET", "/api/models")).body.data, {
    default: ["gpt-a", "gpt-b"],
    vip: ["vip-model"],
  });
  assertEquals((await alice.call("GET", "/api/user/models")).body.data, ["gpt-a", "gpt-b", "vip-model"]);
  assertEquals((await alice.call("GET", "/api/user/models?group=vip")).body.data, ["vip-model"]);
  assertEquals((await alice.call("GET", "/api/user/models?group=svip")).body.data, [], "not a usable group");
  // A user placed in svip by an admin may use it too.
  await root.call("PUT", "/api/user/", { id: alice.userId, group: "svip" });
  assertEquals(Object.keys((await alice.call("GET", "/api/models")).body.data), ["default", "vip", "svip"]);
  assertEquals((await alice.call("POST", "/api/token/", { name: "s", group: "svip" })).body.success, true);
});
