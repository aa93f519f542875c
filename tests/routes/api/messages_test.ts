/**
 * `/api` messages in the caller's language: `?lang`, the `lang` cookie or Accept-Language pick it, else the
 * signed-in user's saved language; validation details are worded per language too. English stays the
 * default, and every `api.*` key exists in every language (tests/i18n/locales_test.ts checks the rest).
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast } from "../../support/console_client.ts";
import { t } from "../../../i18n/translate.ts";
import { LANGUAGES } from "../../../i18n/languages.ts";
import { dictionaries } from "../../../i18n/translate.ts";

Deno.test("every api.* message exists in all seven languages", () => {
  const keys = Object.keys(dictionaries.en).filter((k) => k.startsWith("api."));
  assert(keys.length > 100, `only ${keys.length} api keys`);
  for (const lang of LANGUAGES) {
    const missing = keys.filter((k) => !Object.hasOwn(dictionaries[lang], k));
    assertEquals(missing, [], lang);
  }
});

appTest("/api answers in the request's language, else the user's saved one, else English", async (h) => {
  const wrong = { username: "nobody", password: "wrong-password" };
  const english = await anonymous(h, "POST", "/api/user/login", wrong, { origin: "http://localhost" });
  assertEquals(english.body.message, "Wrong username or password, or the user has been disabled.");
  const zh = await anonymous(h, "POST", "/api/user/login", wrong, {
    origin: "http://localhost",
    "accept-language": "zh-CN,zh;q=0.9",
  });
  assertEquals(zh.body.message, t("zh-CN", "api.wrong_credentials"));
  const cookie = await anonymous(h, "GET", "/api/nope", undefined, { cookie: "lang=ru" });
  assertEquals(cookie.body.message, t("ru", "api.not_found"));

  const { alice } = await cast(h);
  assertEquals((await alice.call("PUT", "/api/user/self", { language: "ja" })).body.success, true);
  const saved = await alice.call("GET", "/api/token/999999");
  assertEquals(saved.body.message, t("ja", "api.token_not_found"), "the saved language applies");
  const chosen = await alice.call("GET", "/api/token/999999?lang=vi");
  assertEquals(chosen.body.message, t("vi", "api.token_not_found"), "?lang wins over the saved language");
});

appTest("validation details and option rules are worded in the caller's language", async (h) => {
  const { root, alice } = await cast(h);
  const en = await alice.call("POST", "/api/token/", { name: "x", remain_quota: -1 });
  assertEquals(en.status, 400);
  assertEquals(en.body.message, "Invalid remain_quota: too small: expected number to be >=0");
  const fr = await alice.call("POST", "/api/token/", { name: "x", remain_quota: -1 }, {
    "accept-language": "fr",
  });
  assertEquals(fr.status, 400);
  assert(fr.body.message.startsWith("remain_quota invalide : "), fr.body.message);
  assert(!fr.body.message.includes("expected"), "zod's detail is in French too");
  const union = await alice.call("PUT", "/api/token/", { id: 1, status: "on" }, {
    "accept-language": "zh-TW",
  });
  assertEquals(union.status, 400);

  const option = await root.call("PUT", "/api/option/", { key: "RetryTimes", value: 99 }, {
    "accept-language": "ru",
  });
  assertEquals(option.status, 400);
  assertEquals(option.body.message, t("ru", "api.option_int_range", { key: "RetryTimes", min: 0, max: 10 }));
  const range = await alice.call("GET", "/api/data/self?start_timestamp=x&end_timestamp=1", undefined, {
    "accept-language": "zh-CN",
  });
  assertEquals(range.status, 400);
  assertEquals(
    range.body.message,
    t("zh-CN", "api.invalid_field", {
      field: "start_timestamp",
      detail: t("zh-CN", "api.expected_integer"),
    }),
  );
});
