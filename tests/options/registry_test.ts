import { assertEquals, assertThrows } from "../support/assert.ts";
import { intOption, jsonOption, OptionRegistry } from "../../options/registry.ts";
import { optionRegistry } from "../../options/index.ts";

const source = (values: Record<string, string>) => ({ option: (k: string) => values[k] });

Deno.test("options read the stored value, else the declared default", () => {
  const r = new OptionRegistry([intOption("RetryTimes", 0, 0, 10), jsonOption("GroupRatio", { default: 1 })]);
  assertEquals(r.int(source({}), "RetryTimes"), 0);
  assertEquals(r.int(source({ RetryTimes: "3" }), "RetryTimes"), 3);
  assertEquals(r.json(source({ GroupRatio: "{broken" }), "GroupRatio"), { default: 1 });
  assertEquals(r.get("RetryTimes")!.validate!("11"), {
    key: "api.option_int_range",
    params: { key: "RetryTimes", min: 0, max: 10 },
  });
  assertThrows(() => new OptionRegistry([intOption("A", 1), intOption("A", 2)]), Error, "declared twice");
});

Deno.test("secret options are recognised by declaration or by New API's naming rule", () => {
  assertEquals(optionRegistry.isSecret("SMTPToken"), true);
  assertEquals(optionRegistry.isSecret("StripeWebhookSecret"), true);
  assertEquals(optionRegistry.isSecret("SystemName"), false);
});
