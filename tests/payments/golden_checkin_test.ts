/** Golden shapes of New API's check-in answers (tests/fixtures/new_api/golden/checkin.json). */
import { assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { type GoldenShape, readGolden, shapeProblems } from "../support/golden.ts";

const golden = await readGolden("checkin");
const statusEnvelope = (golden as unknown as { status_envelope: GoldenShape }).status_envelope;

appTest("check-in status and result have New API's keys, types and envelope", async (h) => {
  const { root, alice } = await cast(h);
  const put = await root.call("PUT", "/api/option/", { key: "checkin_setting.enabled", value: "true" });
  assertEquals(put.body.success, true, put.text);
  const done = await alice.call("POST", "/api/user/checkin");
  assertEquals(done.body.success, true, done.text);
  const status = await alice.call("GET", "/api/user/checkin");
  assertEquals(status.body.data.stats.records.length, 1, status.text);
  assertEquals([
    ...shapeProblems("POST /api/user/checkin", done.body, golden.envelope),
    ...shapeProblems("POST /api/user/checkin data", done.body.data, golden.shapes.checkin_result),
    ...shapeProblems("GET /api/user/checkin", status.body, statusEnvelope, golden.ours?.status_envelope),
    ...shapeProblems("GET /api/user/checkin data", status.body.data, golden.shapes.checkin_status),
  ], []);
});
