/** Where API keys are read from, per New API: the header for each path family, and the channel pin suffix. */
import { assertEquals } from "../../support/assert.ts";
import { presentedKey } from "../../../relay/pipeline/key_auth.ts";

const url = (path: string) => new URL(`http://gw${path}`);

Deno.test("Authorization everywhere; x-api-key on /v1/messages and /v1/models; Gemini keys on model paths", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  assertEquals(
    presentedKey("/v1/chat/completions", h({ authorization: "Bearer sk-a" }), url("/")),
    "Bearer sk-a",
  );
  assertEquals(presentedKey("/v1/chat/completions", h({ "x-api-key": "sk-a" }), url("/")), undefined);
  assertEquals(presentedKey("/v1/messages", h({ "x-api-key": "sk-a" }), url("/")), "sk-a");
  assertEquals(presentedKey("/v1/models", h({ "x-api-key": "sk-a" }), url("/")), "sk-a");
  assertEquals(
    presentedKey("/v1beta/models/gemini:generateContent", h({ "x-goog-api-key": "g" }), url("/")),
    "g",
  );
  assertEquals(presentedKey("/v1beta/models/gemini:generateContent", h({}), url("/x?key=q")), "q");
  assertEquals(presentedKey("/v1/models/gpt-4o", h({}), url("/x?key=q")), "q");
  assertEquals(presentedKey("/v1/chat/completions", h({}), url("/x?key=q")), undefined);
  assertEquals(presentedKey("/v1/chat/completions", h({ authorization: "  " }), url("/")), undefined);
});
