/** Tokens through the API: create/list/update/toggle/delete, validation, the per-user limit, the catalog. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { hashTokenKey } from "../../../crypto/token_key.ts";
import { testSecrets } from "../../support/stores.ts";

const now = () => Math.floor(Date.now() / 1000);

appTest(
  "create returns the key once; reads show the hint; the relay catalog knows the token by hash",
  async (h) => {
    const { alice } = await cast(h);
    const created = await alice.call("POST", "/api/token/", {
      name: "ci",
      remain_quota: 5000,
      expired_time: now() + 3600,
      model_limits_enabled: true,
      model_limits: ["gpt-4o", "gpt-4o-mini", "gpt-4o"],
      allow_ips: "10.0.0.0/8\n192.168.1.7, ::1",
      rpm_limit: 60,
      tpm_limit: 100000,
      concurrency_limit: 4,
      group: "vip",
    });
    assertEquals(created.body.success, true, created.text);
    const t = created.body.data;
    assertMatch(t.key, /^sk-[A-Za-z0-9]{48}$/);
    assertEquals(t.model_limits, "gpt-4o,gpt-4o-mini");
    assertEquals(t.allow_ips, "10.0.0.0/8\n192.168.1.7\n::1");
    assertEquals([t.rpm_limit, t.tpm_limit, t.concurrency_limit, t.group], [60, 100000, 4, "vip"]);
    const view = h.deps.catalog.tokenByHash(hashTokenKey(testSecrets.cryptoSecret, t.key.slice(3)));
    assertEquals(view?.id, t.id);
    assertEquals([...view!.modelLimitSet!], ["gpt-4o", "gpt-4o-mini"]);
    const read = await alice.call("GET", `/api/token/${t.id}`);
    assertEquals(read.body.data.key, t.key_hint);
    assert(!read.text.includes(t.key.slice(3)));
    const regenerated = await alice.call("POST", `/api/token/${t.id}/regenerate`);
    assertMatch(regenerated.body.data.key, /^sk-[A-Za-z0-9]{48}$/);
    assertEquals(
      h.deps.catalog.tokenByHash(hashTokenKey(testSecrets.cryptoSecret, t.key.slice(3))),
      undefined,
    );
    assertEquals(
      (await alice.call("POST", `/api/token/${t.id}/key`)).status,
      400,
      "stored keys cannot be revealed",
    );
    const found = await alice.call("GET", `/api/token/search?token=${regenerated.body.data.key}`);
    assertEquals(found.body.data.items.map((x: { id: number }) => x.id), [t.id]);
  },
);

appTest("update, status toggle, delete and batch delete, each reflected in the catalog", async (h) => {
  const { alice } = await cast(h);
  const ids: number[] = [];
  for (const name of ["a", "b", "c"]) {
    ids.push((await alice.call("POST", "/api/token/", { name })).body.data.id);
  }
  const updated = await alice.call("PUT", "/api/token/", {
    id: ids[0],
    name: "renamed",
    unlimited_quota: true,
  });
  assertEquals([updated.body.data.name, updated.body.data.unlimited_quota], ["renamed", true]);
  const off = await alice.call("PUT", "/api/token/?status_only=true", {
    id: ids[0],
    status: 2,
    name: "ignored",
  });
  assertEquals([off.body.data.status, off.body.data.name], [2, "renamed"]);
  assertEquals(h.deps.catalog.token(ids[0])?.status, 2);
  assertEquals(
    (await alice.call("PUT", "/api/token/?status_only=true", { id: ids[0], status: 1 })).body.data.status,
    1,
  );
  const listed = await alice.call("GET", "/api/token/?p=1&size=2");
  assertEquals([listed.body.data.total, listed.body.data.items.length, listed.body.data.page_size], [
    3,
    2,
    2,
  ]);
  assertEquals((await alice.call("DELETE", `/api/token/${ids[1]}`)).body.success, true);
  assertEquals(h.deps.catalog.token(ids[1]), undefined);
  assertEquals((await alice.call("DELETE", `/api/token/${ids[1]}`)).status, 404);
  assertEquals(
    (await alice.call("POST", "/api/token/batch", { ids: [ids[0], ids[2], 424242] })).body.data,
    2,
  );
  assertEquals((await alice.call("GET", "/api/token/")).body.data.total, 0);
});

appTest("token search treats % and _ literally", async (h) => {
  const { alice } = await cast(h);
  for (const name of ["alpha", "beta_1", "100%"]) await alice.call("POST", "/api/token/", { name });
  const search = async (keyword: string) =>
    (await alice.call("GET", `/api/token/search?keyword=${encodeURIComponent(keyword)}`)).body.data.items
      .map((t: { name: string }) => t.name);
  assertEquals(await search("%"), ["100%"]);
  assertEquals(await search("_"), ["beta_1"]);
  assertEquals(await search("%_%_%_%"), []);
  assertEquals(await search("a"), ["beta_1", "alpha"]);
});

appTest("token fields are validated: expiry, quota, group, IPs, model names, limits", async (h) => {
  const { alice } = await cast(h);
  const cases: [Record<string, unknown>, string][] = [
    [{ name: "x", expired_time: now() - 10 }, "-1 (never) or a time in the future"],
    [{ name: "x", expired_time: -2 }, "expired_time"],
    [{ name: "x", remain_quota: -1 }, "remain_quota"],
    [{ name: "x", remain_quota: 1e18 }, "remain_quota"],
    [{ name: "x", remain_quota: 9e15 }, "at most"],
    [{ name: "x", group: "svip" }, "cannot use the group svip"],
    [{ name: "x", group: "nope" }, "cannot use the group"],
    [{ name: "x", allow_ips: "10.0.0.1, not-an-ip" }, "not-an-ip"],
    [{ name: "x", allow_ips: "10.0.0.0/33" }, "10.0.0.0/33"],
    [{ name: "x", model_limits: ["m".repeat(256)] }, "at most 255"],
    [{ name: "x", rpm_limit: -1 }, "rpm_limit"],
    [{ name: "x".repeat(51) }, "name"],
    [{ name: 5 }, "name"],
    [{ name: "x", unlimited_quota: "yes" }, "unlimited_quota"],
  ];
  for (const [body, fragment] of cases) {
    const res = await alice.call("POST", "/api/token/", body);
    assertEquals(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
    assertEquals(res.body.success, false);
    assertStringIncludes(res.body.message, fragment);
  }
  assertEquals((await alice.call("GET", "/api/token/")).body.data.total, 0, "nothing was created");
  // A token that expired cannot be re-enabled without a new expiry.
  const t = (await alice.call("POST", "/api/token/", { name: "soon", expired_time: now() + 60 })).body.data;
  await h.deps.db.exec("UPDATE tokens SET status = 3, expired_time = ? WHERE id = ?", [now() - 5, t.id]);
  await h.deps.cache.publish({ kind: "token", id: t.id });
  const enable = await alice.call("PUT", "/api/token/?status_only=true", { id: t.id, status: 1 });
  assertEquals(enable.status, 400);
  assertStringIncludes(enable.body.message, "expired");
  const fixed = await alice.call("PUT", "/api/token/", { id: t.id, expired_time: -1, status: 1 });
  assertEquals(fixed.body.data.status, 1, fixed.text);
});

appTest("a user holds at most token_setting.max_user_tokens tokens", async (h) => {
  const { root, alice } = await cast(h);
  assertEquals(
    (await root.call("PUT", "/api/option/", { key: "token_setting.max_user_tokens", value: 2 })).body.success,
    true,
  );
  assertEquals((await alice.call("POST", "/api/token/", { name: "1" })).body.success, true);
  assertEquals((await alice.call("POST", "/api/token/", { name: "2" })).body.success, true);
  const third = await alice.call("POST", "/api/token/", { name: "3" });
  assertEquals(third.status, 400);
  assertStringIncludes(third.body.message, "maximum number of tokens (2)");
});
