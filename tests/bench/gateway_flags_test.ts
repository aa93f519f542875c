/** The benchmark runs the gateway with the V8 flags production uses (`deno task start`), unless told not to. */
import { assertEquals } from "../support/assert.ts";
import { gatewayRuntimeArgs } from "../../bench/targets.ts";
import { startV8Flags } from "../../scripts/start_flags.ts";

Deno.test("the bench starts the gateway with deno task start's V8 flags; BENCH_GATEWAY_V8_FLAGS overrides", () => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  const flags = startV8Flags();
  assertEquals(flags.length, 1);
  assertEquals(config.tasks.start.includes(flags[0]), true);
  assertEquals(gatewayRuntimeArgs({}), flags);
  assertEquals(gatewayRuntimeArgs({ BENCH_GATEWAY_V8_FLAGS: "" }), []);
  assertEquals(gatewayRuntimeArgs({ BENCH_GATEWAY_V8_FLAGS: " --optimize-for-size " }), [
    "--v8-flags=--optimize-for-size",
  ]);
});
