/** Filling a chat app's link template with a key and the gateway's address, as New API's console does. */
import { assertEquals } from "../support/assert.ts";
import { chatLink } from "../../client/chat_link.ts";

const decode = (encoded: string) =>
  JSON.parse(
    new TextDecoder().decode(Uint8Array.from(atob(decodeURIComponent(encoded)), (c) => c.charCodeAt(0))),
  );

Deno.test("{key} is the sk- key and {address} the URL-encoded address", () => {
  assertEquals(
    chatLink(
      'https://chat.example/#/?settings={"key":"{key}","url":"{address}"}',
      "sk-abc",
      "https://gw.example/",
    ),
    'https://chat.example/#/?settings={"key":"sk-abc","url":"https%3A%2F%2Fgw.example"}',
  );
  assertEquals(
    chatLink("ama://set?server={address}&key={key}", "abc", "http://gw"),
    "ama://set?server=http%3A%2F%2Fgw&key=sk-abc",
  );
});

Deno.test("provider configs are URL-encoded base64 JSON in New API's shapes", () => {
  const link = chatLink(
    "cherrystudio://providers/api-keys?v=1&data={cherryConfig}",
    "sk-k",
    "https://gw.example",
  );
  const data = new URL(link).searchParams.get("data")!;
  assertEquals(JSON.parse(atob(data)), { id: "new-api", baseUrl: "https://gw.example", apiKey: "sk-k" });
  assertEquals(decode(chatLink("{aionuiConfig}", "sk-k", "https://网关.example")), {
    platform: "new-api",
    baseUrl: "https://网关.example",
    apiKey: "sk-k",
  });
  assertEquals(decode(chatLink("{deepchatConfig}", "sk-k", "http://gw")).id, "new-api");
});
