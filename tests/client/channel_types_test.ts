/** The channel form's type list agrees with the API's type ids and with what the relay can serve. */
import { assertEquals } from "../support/assert.ts";
import { CHANNEL_TYPES } from "../../client/channel_types.ts";
import { CHANNEL_TYPES as API_TYPES } from "../../routes/api/channel_input.ts";
import { providerFor } from "../../relay/providers/registry.ts";

Deno.test("every offered type is one the API accepts, marked unsupported exactly when the relay has no provider", () => {
  for (const type of CHANNEL_TYPES) {
    assertEquals(API_TYPES.has(type.id), true, type.name);
    assertEquals(Boolean(type.unsupported), providerFor(type.id) === undefined, type.name);
  }
  assertEquals(new Set(CHANNEL_TYPES.map((c) => c.id)).size, CHANNEL_TYPES.length, "no type twice");
});
