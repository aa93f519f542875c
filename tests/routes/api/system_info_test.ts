/**
 * New API's node list on every store: each instance writes its `system_instances` row at start (and every
 * 30 s), root lists the nodes as online or stale (90 s without a heartbeat) with their snapshot, removes
 * stale ones one by one or all at once, and cannot remove a live one; admins below root are refused.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { upsertSystemInstance } from "../../../store/system_instances.ts";

appTest("nodes: heartbeat, online and stale, removal of stale ones only", async (h) => {
  const { root, admin } = await cast(h);
  const self = h.deps.config.nodeName;
  // The first beat is written as the app starts; wait for it rather than for the 30 s timer.
  await h.deps.heartbeat.beat();
  const now = Math.floor(Date.now() / 1000);
  await upsertSystemInstance(h.deps.db, {
    nodeName: "gone-node",
    info: JSON.stringify({ version: "old" }),
    startedAt: now - 4000,
    lastSeenAt: now - 200,
  }, now - 200);
  await upsertSystemInstance(h.deps.db, {
    nodeName: "gone-too",
    info: "",
    startedAt: 1,
    lastSeenAt: now - 91,
  }, now);

  const list = await root.call("GET", "/api/system-info/instances");
  assertEquals(list.status, 200, list.text);
  const byName = new Map(list.body.data.map((n: { node_name: string }) => [n.node_name, n]));
  const me = byName.get(self) as Record<string, unknown> & { info: Record<string, unknown> };
  assertEquals([me.status, me.stale_after_seconds, me.started_at], ["online", 90, h.deps.startedAt]);
  assertEquals([me.info.node_type, me.info.store], ["master", h.deps.db.dialect]);
  assert(Number(me.info.memory_rss_bytes) > 0);
  assertEquals((byName.get("gone-node") as { status: string }).status, "stale");
  assertEquals((byName.get("gone-too") as { info: unknown }).info, null);
  assertEquals(list.body.data[0].node_name, self, "newest heartbeat first");

  const live = await root.call("DELETE", `/api/system-info/instances/${encodeURIComponent(self)}`);
  assertEquals([live.status, live.body.success], [400, false]);
  const one = await root.call("DELETE", "/api/system-info/instances/gone-node");
  assertEquals([one.status, one.body.success], [200, true]);
  const rest = await root.call("DELETE", "/api/system-info/stale-instances");
  assertEquals(rest.body.data, { deleted_count: 1 });
  const after = await root.call("GET", "/api/system-info/instances");
  assertEquals(after.body.data.map((n: { node_name: string }) => n.node_name), [self]);

  for (
    const [method, path] of [["GET", "/api/system-info/instances"], [
      "DELETE",
      "/api/system-info/stale-instances",
    ]]
  ) {
    assertEquals((await admin.call(method, path)).status, 403, `${method} ${path}`);
  }
});
