/** The profile breakdown attributes self time to packages, Deno's runtime, our code and the VM. */
import { assertEquals } from "../support/assert.ts";
import { type CpuProfile, frameOwner, profileBreakdown } from "../../bench/cpu_profile.ts";

const root = new URL("../../", import.meta.url).href;
const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber });

Deno.test("frames are owned by npm packages, the runtime, our folders or the VM", () => {
  const npm = "file:///root/.cache/deno/npm/registry.npmjs.org/";
  assertEquals(frameOwner(frame("dispatch", `${npm}undici/8.13.1/lib/dispatcher/client.js`)), "npm:undici");
  assertEquals(frameOwner(frame("x", `${npm}@anthropic-ai/sdk/1.0.0/index.js`)), "npm:@anthropic-ai/sdk");
  assertEquals(
    frameOwner(frame("writev", "ext:deno_node/internal/stream.ts")),
    "deno runtime (ext:deno_node)",
  );
  assertEquals(frameOwner(frame("send", `${root}relay/http/upstream_client.ts`)), "ours: relay/");
  assertEquals(frameOwner(frame("(garbage collector)")), "(garbage collector)");
  assertEquals(frameOwner(frame("op_now")), "(native) ops");
});

Deno.test("self time is summed per owner and per function, as shares", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("(idle)") },
      { id: 3, callFrame: frame("send", `${root}relay/http/upstream_client.ts`, 129) },
    ],
    samples: [2, 3, 3, 2],
    timeDeltas: [100, 250, 250, 400],
  };
  const { owners, functions } = profileBreakdown(profile);
  assertEquals(owners, [["(idle)", 0.5], ["ours: relay/", 0.5]]);
  assertEquals(functions[1], ["send http/upstream_client.ts:130", 0.5]);
});
