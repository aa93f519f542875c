/** Top-level JSON edits keep every other byte of a member as the client wrote it. */
import { assertEquals, assertThrows } from "../../support/assert.ts";
import { editTopLevel } from "../../../relay/pipeline/json_edit.ts";

Deno.test("setting the model keeps big numbers, escapes and nested text exactly", () => {
  const src =
    '{ "model" : "gpt-4o",\n "seed": 12345678901234567890, "messages":[{"role":"user","content":"a \\"quoted\\" {brace} ,"}],"x":1.0}';
  const out = editTopLevel(src, { model: '"gpt-4o-mini"' });
  assertEquals(
    out,
    '{"model":"gpt-4o-mini","seed": 12345678901234567890,"messages":[{"role":"user","content":"a \\"quoted\\" {brace} ,"}],"x":1.0}',
  );
  assertEquals(JSON.parse(out).messages[0].content, 'a "quoted" {brace} ,');
});

Deno.test("members are added at the end, deleted, and a duplicated key ends up once", () => {
  assertEquals(editTopLevel('{"a":1}', { b: "true" }), '{"a":1,"b":true}');
  assertEquals(editTopLevel("{}", { b: "2" }), '{"b":2}');
  assertEquals(editTopLevel('{"a":1,"b":[1,{"c":"]"}],"d":null}', { b: undefined }), '{"a":1,"d":null}');
  assertEquals(editTopLevel('{"a":1,"a":2}', { a: "3" }), '{"a":3}');
  assertEquals(
    editTopLevel('{"stream_options":{"include_usage":false},"k":"v"}', {
      stream_options: '{"include_usage":true}',
    }),
    '{"stream_options":{"include_usage":true},"k":"v"}',
  );
});

Deno.test("no edit, or deleting an absent key, returns the input itself", () => {
  const src = '{ "a" : 1 }';
  assertEquals(editTopLevel(src, {}), src);
  assertEquals(editTopLevel(src, { missing: undefined }), src);
});

Deno.test("strings with escaped backslashes before quotes are skipped correctly", () => {
  const src = '{"p":"C:\\\\dir\\\\","model":"m"}';
  assertEquals(JSON.parse(editTopLevel(src, { model: '"n"' })), { p: "C:\\dir\\", model: "n" });
});

Deno.test("a non-object is refused", () => {
  assertThrows(() => editTopLevel("[1]", { a: "1" }));
});
