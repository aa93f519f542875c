/** Choosing a language: tags, Accept-Language q-values, and the order query > cookie > saved > header. */
import { assertEquals } from "../support/assert.ts";
import { normalizeLanguage, parseAcceptLanguage, pickLanguage } from "../../i18n/languages.ts";
import { formatMessage } from "../../i18n/messages.ts";
import { t } from "../../i18n/translate.ts";

Deno.test("language tags map to the supported languages, Chinese by script or region", () => {
  assertEquals(normalizeLanguage("zh"), "zh-CN");
  assertEquals(normalizeLanguage("zh-Hans-SG"), "zh-CN");
  assertEquals(normalizeLanguage("zh_tw"), "zh-TW");
  assertEquals(normalizeLanguage("zh-HK"), "zh-TW");
  assertEquals(normalizeLanguage("zh-Hant"), "zh-TW");
  assertEquals(normalizeLanguage("fr-CA"), "fr");
  assertEquals(normalizeLanguage("EN-us"), "en");
  assertEquals(normalizeLanguage("de"), undefined);
  assertEquals(normalizeLanguage(""), undefined);
  assertEquals(normalizeLanguage("../etc/passwd"), undefined);
});

Deno.test("Accept-Language picks the best supported language by q-value", () => {
  assertEquals(parseAcceptLanguage("de-DE,de;q=0.9,ja;q=0.8,en;q=0.7"), "ja");
  assertEquals(parseAcceptLanguage("en;q=0.5, ru;q=0.9"), "ru");
  assertEquals(parseAcceptLanguage("vi, fr;q=0"), "vi");
  assertEquals(parseAcceptLanguage("zh-TW,zh;q=0.9"), "zh-TW");
  assertEquals(parseAcceptLanguage("de, it"), undefined);
  assertEquals(parseAcceptLanguage("*"), undefined);
});

Deno.test("an explicit ?lang wins, then the cookie, then the saved choice, then the header, then English", () => {
  const all = { query: "ja", cookie: "fr", saved: "ru", acceptLanguage: "vi" };
  assertEquals(pickLanguage(all), "ja");
  assertEquals(pickLanguage({ ...all, query: undefined }), "fr");
  assertEquals(pickLanguage({ ...all, query: "xx", cookie: undefined }), "ru");
  assertEquals(pickLanguage({ acceptLanguage: "vi", cookie: "nonsense" }), "vi");
  assertEquals(pickLanguage({}), "en");
});

Deno.test("placeholders are filled, unknown ones kept, unknown keys render as themselves", () => {
  assertEquals(formatMessage({ a: "{n} of {m}" }, "a", { n: 1 }), "1 of {m}");
  assertEquals(formatMessage({}, "x.y"), "x.y");
  assertEquals(t("zh-CN", "common.page_of", { page: 2, pages: 5, total: 42 }), "第 2 / 5 页 · 共 42 条");
  assertEquals(t("en", "api.not_found"), "Not found.");
  assertEquals(t("ja", "api.not_found"), "見つかりません。");
});
