/**
 * The task listings: `/api/mj/self` and `/api/task/self` show the caller's own rows only, `/api/mj/` and
 * `/api/task/` show everyone's to admins (403 to users), in New API's paged shape and field names.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { relaySetup } from "../../support/relay.ts";
import { withTestAuth } from "../../support/test_auth.ts";
import { Role } from "../../../store/users.ts";
import { insertMjTask, type NewMjTask } from "../../../store/midjourneys.ts";
import { insertTask, type NewTask } from "../../../store/tasks.ts";

const mjRow = (userId: number, mjId: string): NewMjTask => ({
  code: 1,
  userId,
  action: "IMAGINE",
  mjId,
  prompt: "p",
  promptEn: "",
  description: "",
  state: "",
  submitTime: 1_700_000_000_000,
  startTime: 0,
  finishTime: 0,
  imageUrl: "https://cdn.example/x.png",
  videoUrl: "",
  videoUrls: "",
  status: "SUCCESS",
  progress: "100%",
  failReason: "",
  channelId: 7,
  quota: 50_000,
  buttons: "",
  properties: "",
  tokenId: 0,
  requestId: `r-${mjId}`,
});

const taskRow = (userId: number, taskId: string): NewTask => ({
  taskId,
  platform: "suno",
  userId,
  group: "default",
  channelId: 7,
  quota: 50_000,
  action: "MUSIC",
  status: "SUCCESS",
  failReason: "",
  submitTime: 1_700_000_000,
  startTime: 0,
  finishTime: 0,
  progress: "100%",
  properties: "",
  data: JSON.stringify([{ id: "clip" }]),
  requestId: `r-${taskId}`,
  tokenId: 3,
});

appTest("task listings: users see their own, admins everyone's", async (h) => {
  const call = withTestAuth(h);
  const alice = await relaySetup(h, { username: "alice", channels: [] });
  const bob = await relaySetup(h, { username: "bob", channels: [] });
  const admin = await relaySetup(h, { username: "boss", role: Role.admin, channels: [] });
  await insertMjTask(h.deps.db, mjRow(alice.userId, "a1"));
  await insertMjTask(h.deps.db, mjRow(bob.userId, "b1"));
  await insertTask(h.deps.db, taskRow(alice.userId, "ta"));
  await insertTask(h.deps.db, taskRow(bob.userId, "tb"));

  const mine = await (await call("GET", "/api/mj/self?p=1&page_size=10", { as: alice.userId })).json();
  assertEquals(mine.success, true);
  assertEquals(mine.data.total, 1);
  const item = mine.data.items[0];
  assertEquals([item.mj_id, item.user_id, item.quota, item.status], ["a1", alice.userId, 50_000, "SUCCESS"]);
  assert(item.image_url.includes("/mj/image/a1?sig="), item.image_url);
  assertEquals("request_id" in item, false);

  const tasks = await (await call("GET", "/api/task/self", { as: alice.userId })).json();
  assertEquals(tasks.data.items.map((t: { task_id: string }) => t.task_id), ["ta"]);
  assertEquals(tasks.data.items[0].data, [{ id: "clip" }]);
  assertEquals("private_data" in tasks.data.items[0], false);

  assertEquals((await call("GET", "/api/mj/", { as: alice.userId })).status, 403);
  assertEquals((await call("GET", "/api/task/", { as: alice.userId })).status, 403);
  const all = await (await call("GET", "/api/mj/", { as: admin.userId })).json();
  assertEquals(all.data.items.map((t: { mj_id: string }) => t.mj_id), ["b1", "a1"]);
  const allTasks = await (await call("GET", "/api/task/?platform=suno", { as: admin.userId })).json();
  assertEquals(allTasks.data.items.map((t: { username: string }) => t.username), ["bob", "alice"]);
  const filtered = await (await call("GET", "/api/mj/?mj_id=b1", { as: admin.userId })).json();
  assertEquals(filtered.data.total, 1);
  assertEquals((await h.call("GET", "/api/mj/self")).status, 401);
});
