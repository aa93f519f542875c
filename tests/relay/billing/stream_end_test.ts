/** The disconnect policy: upstream usage wins; else delivered tokens; nothing delivered → release. */
import { assertEquals } from "../../support/assert.ts";
import { usageAtEnd } from "../../../relay/billing/stream_end.ts";
import { StreamMeter } from "../../../relay/billing/stream_meter.ts";
import { tokenCounter } from "../../../relay/billing/estimate.ts";

const upstream = { inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 50 };

Deno.test("the upstream's final usage is charged whenever it arrived, even after the client left", async () => {
  const meter = new StreamMeter(await tokenCounter());
  meter.add("partial answer");
  assertEquals(
    usageAtEnd({ end: "client_gone", upstreamUsage: upstream, promptTokens: 90, meter }),
    upstream,
  );
});

Deno.test("client gone mid-stream without usage: prompt + delivered tokens, marked estimated, never zero", async () => {
  const count = await tokenCounter();
  const meter = new StreamMeter(count);
  meter.add("Hello there, general Kenobi");
  const u = usageAtEnd({ end: "client_gone", promptTokens: 90, meter })!;
  assertEquals([u.inputTokens, u.outputTokens, u.estimated], [
    90,
    count("Hello there, general Kenobi"),
    true,
  ]);
});

Deno.test("nothing delivered and no usage: an upstream error or early disconnect releases (charge 0)", async () => {
  const meter = new StreamMeter(await tokenCounter());
  assertEquals(usageAtEnd({ end: "upstream_error", promptTokens: 90, meter }), null);
  assertEquals(usageAtEnd({ end: "client_gone", promptTokens: 90, meter }), null);
  assertEquals(usageAtEnd({ end: "upstream_error", promptTokens: 90 }), null);
});

Deno.test("a completed answer without usage is charged the estimated prompt plus the counted answer", async () => {
  const meter = new StreamMeter(await tokenCounter());
  assertEquals(usageAtEnd({ end: "completed", promptTokens: 90, meter })?.inputTokens, 90);
  meter.add("ok");
  assertEquals(usageAtEnd({ end: "upstream_error", promptTokens: 90, meter })?.outputTokens, 1);
});
