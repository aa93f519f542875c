/** The settings page edits only declared options, with the kind their declaration validates. */
import { assert, assertEquals } from "../support/assert.ts";
import { OPTION_SECTIONS } from "../../client/option_fields.ts";
import { optionRegistry } from "../../options/index.ts";

Deno.test("every option on the settings page is declared, so saving it is never refused as unknown", () => {
  const fields = OPTION_SECTIONS.flatMap((s) => s.fields);
  const undeclared = fields.filter((f) => !optionRegistry.get(f.key)).map((f) => f.key);
  assertEquals(undeclared, []);
  for (const f of fields) {
    const def = optionRegistry.get(f.key)!;
    if (f.kind === "bool") assertEquals(def.validate?.("maybe")?.key, "api.option_bool", f.key);
    if (f.kind === "secret") assert(optionRegistry.isSecret(f.key), `${f.key} is withheld from GET`);
    if (f.kind !== "secret") {
      assert(!optionRegistry.isSecret(f.key), `${f.key} is readable, so the form shows it`);
    }
  }
});
