/**
 * Multi-key state is written with a compare-and-swap on `channel_info`: keys disabled by the relay at
 * the same moment as a console edit are all kept (regression: the last writer used to win).
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { cast } from "../../support/console_client.ts";
import { getChannel, insertChannel } from "../../../store/channels.ts";
import { disableChannel } from "../../../relay/health/channel_state.ts";
import { asJsonObject } from "../../../store/db.ts";

appTest("concurrent key disables and console key edits on one channel lose no update", async (h) => {
  const { admin } = await cast(h);
  const keys = Array.from({ length: 8 }, (_, i) => `sk-key-${i}`);
  const id = await insertChannel(h.deps.db, h.deps.secrets.cryptoSecret, {
    type: 1,
    name: "multi",
    key: keys.join("\n"),
    models: "m",
    group: "default",
    channelInfo: JSON.stringify({ is_multi_key: true, multi_key_size: 8, multi_key_mode: "random" }),
  });
  await h.deps.cache.publish({ kind: "channel", id });
  await Promise.all([
    ...[0, 1, 2, 3].map((i) => disableChannel(h.deps, id, i, keys.length, `failed ${i}`)),
    ...[4, 5].map((i) =>
      admin.call("POST", "/api/channel/multi_key/manage", {
        channel_id: id,
        action: "disable_key",
        key_index: i,
      })
    ),
  ]);
  const info = asJsonObject((await getChannel(h.deps.db, id))!.channelInfo);
  const list = info.multi_key_status_list as Record<string, number>;
  assertEquals(Object.keys(list).sort(), ["0", "1", "2", "3", "4", "5"], JSON.stringify(list));
  assertEquals([0, 1, 2, 3].map((i) => list[i]), [3, 3, 3, 3], "auto-disabled by the relay");
  assertEquals([4, 5].map((i) => list[i]), [2, 2], "disabled by hand in the console");
});
