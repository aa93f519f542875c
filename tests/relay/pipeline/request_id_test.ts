/** Request ids keep New API's format and stay unique when many are made within one second. */
import { assert, assertEquals } from "../../support/assert.ts";
import { newRequestId } from "../../../relay/pipeline/request_id.ts";

Deno.test("request ids: local time stamp, nanoseconds, 8 alphanumerics; unique across a burst", () => {
  const now = new Date(2026, 7, 15, 12, 34, 56, 789);
  const id = newRequestId(now);
  assert(/^20260815123456789\d{6}[A-Za-z0-9]{8}$/.test(id), id);
  const later = newRequestId(new Date(2026, 7, 15, 12, 34, 57, 1));
  assert(later.startsWith("20260815123457"), later);
  const ids = new Set(Array.from({ length: 5000 }, () => newRequestId()));
  assertEquals(ids.size, 5000);
  const tails = [...ids].map((i) => i.slice(-8)).join("");
  for (const c of "ABCXYZabcxyz0189") assert(tails.includes(c), `alphabet uses ${c}`);
});
