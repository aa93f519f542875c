/**
 * New API's auto-group options and per-token auto lists: `auto_groups` on a token of group "auto" is
 * checked against `MaxTokenAutoGroups`, repeats and the groups the user may use, and is cleared (with
 * cross-group retry) for any other group; `GET /api/token/auto-groups` lists the choices; the relay walks
 * the token's own list (filtered and capped again at request time) instead of `AutoGroups`; an auto
 * token with no usable group is refused; `DefaultUseAutoGroup` makes a registration's first token "auto".
 */
import { assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest, sqliteAppTest } from "../../support/app.ts";
import { anonymous, cast, login } from "../../support/console_client.ts";
import { saveOptions } from "../../../store/options.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { chat, fakeChannel, relaySetup } from "../../support/relay.ts";

const groupOptions = {
  AutoGroups: JSON.stringify(["cheap", "premium", "hidden"]),
  GroupRatio: JSON.stringify({ default: 1, cheap: 1, premium: 3, hidden: 1, vip: 1 }),
  UserUsableGroups: JSON.stringify({ default: "", auto: "", cheap: "", premium: "", vip: "" }),
  MaxTokenAutoGroups: "2",
};

appTest("token auto_groups are checked, stored, shown and cleared as New API does", async (h) => {
  const { alice } = await cast(h);
  await saveOptions(h.deps.db, groupOptions);
  await h.deps.cache.publish({ kind: "options" });

  const choices = await alice.call("GET", "/api/token/auto-groups");
  assertEquals(choices.body.data, { groups: ["cheap", "premium"], max_count: 2 });

  const tooMany = await alice.call("POST", "/api/token/", {
    name: "a",
    group: "auto",
    auto_groups: ["premium", "cheap", "vip"],
  });
  assertEquals(tooMany.body.success, false);
  assertStringIncludes(tooMany.body.message, "2");
  const twice = await alice.call("POST", "/api/token/", {
    name: "a",
    group: "auto",
    auto_groups: ["vip", "vip"],
  });
  assertEquals(twice.body.success, false);
  for (const bad of ["hidden", "auto", "nope"]) {
    const res = await alice.call("POST", "/api/token/", { name: "a", group: "auto", auto_groups: [bad] });
    assertEquals(res.body.success, false, `${bad} must be refused`);
  }

  const made = await alice.call("POST", "/api/token/", {
    name: "a",
    group: "auto",
    cross_group_retry: true,
    auto_groups: ["premium", "cheap"],
  });
  assertEquals(made.body.success, true, made.text);
  const id = made.body.data.id;
  assertEquals(made.body.data.auto_groups, ["premium", "cheap"]);
  const read = await alice.call("GET", `/api/token/${id}`);
  assertEquals([read.body.data.auto_groups, read.body.data.cross_group_retry], [["premium", "cheap"], true]);

  // An update without auto_groups keeps the list; null clears it; another group clears both.
  const renamed = await alice.call("PUT", "/api/token/", { id, name: "b" });
  assertEquals(renamed.body.data.auto_groups, ["premium", "cheap"]);
  const cleared = await alice.call("PUT", "/api/token/", { id, auto_groups: null });
  assertEquals(cleared.body.data.auto_groups, null);
  await alice.call("PUT", "/api/token/", { id, auto_groups: ["cheap"] });
  const moved = await alice.call("PUT", "/api/token/", { id, group: "vip" });
  assertEquals([moved.body.data.auto_groups, moved.body.data.cross_group_retry], [null, false]);
  const plain = await alice.call("POST", "/api/token/", {
    name: "c",
    group: "vip",
    cross_group_retry: true,
    auto_groups: ["cheap"],
  });
  assertEquals([plain.body.data.auto_groups, plain.body.data.cross_group_retry], [null, false]);
});

appTest("MaxTokenAutoGroups must be a positive integer; both options are acted on", async (h) => {
  const { root } = await cast(h);
  const zero = await root.call("PUT", "/api/option/", { key: "MaxTokenAutoGroups", value: "0" });
  assertEquals(zero.body.success, false);
  assertEquals(
    (await root.call("PUT", "/api/option/", { key: "MaxTokenAutoGroups", value: "3" })).body.success,
    true,
  );
  const list = await root.call("GET", "/api/option/");
  const items = list.body.data as { key: string; implemented?: boolean }[];
  for (const key of ["MaxTokenAutoGroups", "DefaultUseAutoGroup"]) {
    const item = items.find((i) => i.key === key);
    assertEquals(item?.implemented ?? true, true, `${key} is acted on`);
  }
  assertEquals((await root.call("GET", "/api/status")).body.data.default_use_auto_group, false);
  await root.call("PUT", "/api/option/", { key: "DefaultUseAutoGroup", value: "true" });
  assertEquals((await root.call("GET", "/api/status")).body.data.default_use_auto_group, true);
});

const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 20 };

sqliteAppTest("the relay walks the token's own auto list, capped and filtered at request time", async (h) => {
  await using fake = await startFakeUpstream();
  const channels = [
    fakeChannel(fake.url, { name: "C", key: "key-c", group: "cheap" }),
    fakeChannel(fake.url, { name: "P", key: "key-p", group: "premium" }),
    fakeChannel(fake.url, { name: "V", key: "key-v", group: "vip" }),
  ];
  const own = await relaySetup(h, {
    options: { ...groupOptions, MaxTokenAutoGroups: "1" },
    token: { group: "auto", autoGroups: JSON.stringify(["hidden", "vip", "premium"]) },
    channels,
  });
  assertEquals((await chat(h, own.key, ask)).status, 200);
  assertEquals(fake.requests.map((r) => r.headers.get("authorization")), ["Bearer key-v"]);

  // A list whose groups are no longer usable does not fall back to AutoGroups: the request is refused.
  await saveOptions(h.deps.db, { UserUsableGroups: JSON.stringify({ default: "", auto: "", cheap: "" }) });
  await h.deps.cache.publish({ kind: "options" });
  fake.reset();
  const refused = await chat(h, own.key, ask);
  assertEquals(refused.status, 503);
  assertStringIncludes((await refused.json()).error.message, "auto groups is not enabled");
  assertEquals(fake.requests.length, 0);
});

sqliteAppTest("DefaultUseAutoGroup gives a registration's first token the group auto", async (h) => {
  const { root } = await cast(h);
  for (const [value, name, group] of [["false", "carol", ""], ["true", "dave", "auto"]]) {
    await root.call("PUT", "/api/option/", { key: "DefaultUseAutoGroup", value });
    const r = await anonymous(h, "POST", "/api/user/register", {
      username: name,
      password: `${name}-password`,
    }, { origin: "http://localhost" });
    assertEquals(r.body.success, true, r.text);
    const user = await login(h, name, `${name}-password`);
    const tokens = (await user.call("GET", "/api/token/")).body.data.items;
    assertEquals(tokens.map((t: { group: string }) => t.group), [group]);
  }
}, { GENERATE_DEFAULT_TOKEN: "true" });
