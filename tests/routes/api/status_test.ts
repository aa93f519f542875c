import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";

appTest("GET /api/status answers in New API's envelope and reports the store", async (h) => {
  const res = await h.call("GET", "/api/status");
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.success, true);
  assertEquals(body.data.database_type, h.store.kind);
  assertEquals(body.data.quota_per_unit, 500000);
  h.deps.state.draining = true;
  assertEquals((await h.call("GET", "/api/status")).status, 503, "fails while draining");
});

appTest("unknown paths: JSON envelope under /api, OpenAI error shape under /v1", async (h) => {
  const api = await h.call("GET", "/api/nope");
  assertEquals(api.status, 404);
  assertEquals((await api.json()).success, false);
  const relay = await h.call("POST", "/v1/nope", {});
  assertEquals(relay.status, 404);
  assertEquals(typeof (await relay.json()).error.message, "string");
});
