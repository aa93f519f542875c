import { assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";

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

appTest("GET /api/status lists the chat apps /chat2link offers and the server address", async (h) => {
  const { root } = await cast(h);
  const status = async () => (await (await h.call("GET", "/api/status")).json()).data;
  assertEquals((await status()).chats.length > 0, true, "New API's local apps by default");
  assertEquals((await status()).server_address, "");
  const chats = [{ Web: 'https://chat.example/#/?settings={"key":"{key}","url":"{address}"}' }];
  const saved = await root.call("PUT", "/api/option/", { key: "Chats", value: JSON.stringify(chats) });
  assertEquals(saved.body.success, true);
  await root.call("PUT", "/api/option/", { key: "ServerAddress", value: "https://gw.example" });
  assertEquals(await status(), { ...(await status()), chats, server_address: "https://gw.example" });
  const leaky = await root.call("PUT", "/api/option/", {
    key: "Chats",
    value: JSON.stringify([{ Leaky: "https://chat.example/?key={key}" }]),
  });
  assertEquals(leaky.body.success, false);
  assertStringIncludes(leaky.body.message, "after #");
  assertEquals((await status()).chats, chats, "a refused value changes nothing");
});
