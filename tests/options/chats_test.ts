/** The `Chats` option: which chat-app links may be saved, and how stored values are read. */
import { assertEquals } from "../support/assert.ts";
import { chatClients, chatOptions, DEFAULT_CHATS } from "../../options/chats.ts";

const validate = chatOptions[0].validate!;
const problem = (entries: unknown) => validate(JSON.stringify(entries))?.key;

Deno.test("the default chat apps pass their own rules", () => {
  assertEquals(validate(chatOptions[0].default), undefined);
  assertEquals(chatClients({ option: () => undefined }).length, DEFAULT_CHATS.length);
});

Deno.test("a web link takes the key only after #, which browsers never send", () => {
  assertEquals(
    problem([{ NextChat: 'https://chat.example/#/?settings={"key":"{key}","url":"{address}"}' }]),
    undefined,
  );
  assertEquals(
    problem([{ Lobe: 'https://lobe.example/?settings={"apiKey":"{key}","baseURL":"{address}/v1"}' }]),
    "api.option_chat_key_in_url",
  );
  assertEquals(problem([{ Path: "https://chat.example/{key}/start" }]), "api.option_chat_key_in_url");
  assertEquals(
    problem([{ Cfg: "http://chat.example/import?data={cherryConfig}" }]),
    "api.option_chat_key_in_url",
  );
  assertEquals(problem([{ Address: "https://chat.example/?server={address}" }]), undefined, "no key: fine");
  assertEquals(
    problem([{ App: "opencat://team/join?domain={address}&token={key}" }]),
    undefined,
    "local apps",
  );
});

Deno.test("unsafe or malformed links and lists are refused", () => {
  for (
    const url of [
      "javascript:alert(document.cookie)",
      "data:text/html,<script>1</script>",
      "JavaScript:alert(1)",
      "//chat.example/#{key}",
      "chat.example/#{key}",
      "https://user:pw@chat.example/#{key}",
      "https://chat.example/#{token}",
      "https://chat.example/#sk-abcdefghijklmnop1234",
      "https://chat.example/\n#{key}",
    ]
  ) {
    assertEquals(problem([{ App: url }]), "api.option_chat_link", url);
  }
  for (
    const value of [
      "{",
      "{}",
      '"x"',
      "[1]",
      '[{"a":"https://a/","b":"https://b/"}]',
      '[{"a":1}]',
      '[{" ":"https://a/"}]',
    ]
  ) {
    assertEquals(validate(value)?.key, "api.option_chats_list", value);
  }
  assertEquals(
    problem(Array.from({ length: 65 }, (_, i) => ({ [`c${i}`]: "https://a/" }))),
    "api.option_chats_list",
  );
  assertEquals(validate("[]"), undefined, "an empty list turns the feature off");
});

Deno.test("a stored list is read leniently: entries that break the rules are left out", () => {
  const stored = JSON.stringify([
    { Good: "https://chat.example/#/?key={key}" },
    { Leaky: "https://chat.example/?key={key}" },
    { Evil: "javascript:alert(1)" },
  ]);
  assertEquals(chatClients({ option: () => stored }), [{
    name: "Good",
    url: "https://chat.example/#/?key={key}",
  }]);
  assertEquals(chatClients({ option: () => "not json" }), []);
});
