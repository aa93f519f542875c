/** The documented subset of New API's param override: set/delete/copy/move/prepend/append/block/pass with conditions. */
import { assertEquals, assertThrows } from "../../support/assert.ts";
import {
  applyParamOverride,
  ParamOverrideBlocked,
  ParamOverrideError,
  parseParamOverride,
} from "../../../relay/pipeline/param_override.ts";
import { getPath, setPath } from "../../../relay/pipeline/json_path.ts";

// deno-lint-ignore no-explicit-any
function run(body: any, override: unknown): any {
  applyParamOverride(body, parseParamOverride(JSON.stringify(override))!);
  return body;
}

Deno.test("the legacy form replaces top-level members", () => {
  assertEquals(run({ a: 1, b: 2 }, { b: 3, c: { d: 1 } }), { a: 1, b: 3, c: { d: 1 } });
});

Deno.test("set creates paths, keep_origin keeps an existing value, delete removes", () => {
  const body = run({ temperature: 1, top_p: 0.5 }, {
    operations: [
      { path: "temperature", mode: "set", value: 0.2, keep_origin: true },
      { path: "max_tokens", mode: "set", value: 10, keep_origin: true },
      { path: "generation.config.top_k", mode: "set", value: 3 },
      { path: "top_p", mode: "delete" },
    ],
  });
  assertEquals(body, { temperature: 1, max_tokens: 10, generation: { config: { top_k: 3 } } });
});

Deno.test("copy and move between paths, negative indexes count from the end", () => {
  const body = run({ messages: [{ content: "a" }, { content: "b" }], model: "m" }, {
    operations: [
      { mode: "copy", from: "messages.-1.content", to: "last" },
      { mode: "move", from: "model", to: "meta.model" },
    ],
  });
  assertEquals(body, { messages: [{ content: "a" }, { content: "b" }], last: "b", meta: { model: "m" } });
});

Deno.test("prepend and append work on arrays, strings and objects", () => {
  const body = run({ stop: ["x"], prompt: "mid", meta: { a: 1, b: 1 } }, {
    operations: [
      { path: "stop", mode: "prepend", value: ["w"] },
      { path: "stop", mode: "append", value: "y" },
      { path: "prompt", mode: "prepend", value: "<" },
      { path: "prompt", mode: "append", value: ">" },
      { path: "meta", mode: "append", value: { b: 2, c: 3 }, keep_origin: true },
    ],
  });
  assertEquals(body, { stop: ["w", "x", "y"], prompt: "<mid>", meta: { a: 1, b: 1, c: 3 } });
});

Deno.test("conditions: full/prefix/suffix/contains/gt/gte/lt/lte, invert, missing keys, AND/OR", () => {
  const op = (conditions: unknown[], logic?: string) => ({
    operations: [{ path: "hit", mode: "set", value: true, conditions, logic }],
  });
  const base = () => ({ model: "gpt-4o-mini", n: 3, flag: true });
  const hit = (conditions: unknown[], logic?: string) => run(base(), op(conditions, logic)).hit === true;
  assertEquals(hit([{ path: "model", mode: "full", value: "gpt-4o-mini" }]), true);
  assertEquals(hit([{ path: "model", mode: "prefix", value: "gpt" }]), true);
  assertEquals(hit([{ path: "model", mode: "suffix", value: "mini" }]), true);
  assertEquals(hit([{ path: "model", mode: "contains", value: "4o" }]), true);
  assertEquals(hit([{ path: "n", mode: "gt", value: 3 }]), false);
  assertEquals(hit([{ path: "n", mode: "gte", value: 3 }]), true);
  assertEquals(hit([{ path: "n", mode: "lt", value: 3 }]), false);
  assertEquals(hit([{ path: "n", mode: "lte", value: 3 }]), true);
  assertEquals(hit([{ path: "flag", mode: "full", value: true }]), true);
  assertEquals(hit([{ path: "n", mode: "full", value: "3" }]), false, "types must match");
  assertEquals(hit([{ path: "model", mode: "prefix", value: "gpt", invert: true }]), false);
  assertEquals(hit([{ path: "absent", mode: "full", value: 1 }]), false);
  assertEquals(hit([{ path: "absent", mode: "full", value: 1, pass_missing_key: true }]), true);
  const mixed = [{ path: "model", mode: "prefix", value: "gpt" }, { path: "n", mode: "gt", value: 5 }];
  assertEquals(hit(mixed), true, "OR by default");
  assertEquals(hit(mixed, "AND"), false);
});

Deno.test("block refuses the request, pass stops further operations", () => {
  assertThrows(
    () =>
      run({ max_tokens: 5000 }, {
        operations: [{ mode: "block", conditions: [{ path: "max_tokens", mode: "gt", value: 100 }] }],
      }),
    ParamOverrideBlocked,
  );
  assertEquals(
    run({ a: 1 }, { operations: [{ mode: "pass" }, { path: "a", mode: "delete" }] }),
    { a: 1 },
  );
});

Deno.test("malformed overrides and unknown modes are configuration errors", () => {
  assertThrows(() => parseParamOverride("{nope"), ParamOverrideError);
  assertThrows(() => parseParamOverride("[1]"), ParamOverrideError);
  assertThrows(() => parseParamOverride('{"operations":[{"path":"a"}]}'), ParamOverrideError);
  assertThrows(() => run({}, { operations: [{ path: "a", mode: "regex_replace" }] }), ParamOverrideError);
  assertEquals(parseParamOverride(""), undefined);
});

Deno.test("paths: escaped dots, array indexes", () => {
  const obj: Record<string, unknown> = {};
  setPath(obj, "a\\.b.c", 1);
  assertEquals(obj, { "a.b": { c: 1 } });
  setPath(obj, "list.0", "x");
  assertEquals(getPath(obj, "list.0"), "x");
  assertEquals(Array.isArray(obj.list), true);
});
