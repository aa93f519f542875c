/** Every language has exactly the English keys, with the same placeholders, and the code uses only keys that exist. */
import { assert, assertEquals } from "../support/assert.ts";
import { LANGUAGES } from "../../i18n/languages.ts";
import { dictionaries } from "../../i18n/translate.ts";

const root = new URL("../../", import.meta.url);
const en = dictionaries.en;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("locales/ holds one file per supported language and nothing else", async () => {
  const files = [];
  for await (const entry of Deno.readDir(new URL("locales/", root))) files.push(entry.name);
  assertEquals(files.sort(), LANGUAGES.map((l) => `${l}.json`).sort());
});

for (const lang of LANGUAGES.filter((l) => l !== "en")) {
  Deno.test(`${lang}: no key is missing or extra compared with English, placeholders match`, () => {
    const dict = dictionaries[lang];
    const missing = Object.keys(en).filter((k) => !Object.hasOwn(dict, k));
    const extra = Object.keys(dict).filter((k) => !Object.hasOwn(en, k));
    assertEquals(missing, [], `${lang} lacks keys`);
    assertEquals(extra, [], `${lang} has keys English does not`);
    for (const [key, value] of Object.entries(dict)) {
      assert(typeof value === "string" && value.trim() !== "", `${lang} ${key} is empty`);
      assertEquals(placeholders(value), placeholders(en[key]), `${lang} ${key} placeholders`);
    }
  });
}

Deno.test("English values are non-empty strings and keys are flat dotted names", () => {
  for (const [key, value] of Object.entries(en)) {
    assert(/^[a-z_]+\.[a-z0-9_]+$/.test(key), `key ${key} is not flat (namespace.name)`);
    assert(typeof value === "string" && value.trim() !== "", `${key} is empty`);
  }
});

/** Message keys appear in code as string literals ("nav.home"); any such literal must exist in English. */
Deno.test("every message key used by pages, islands, components and the server exists", async () => {
  const used = new Set<string>();
  const files: string[] = [];
  async function walk(dir: URL, rel: string) {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`);
      else if (/\.(ts|tsx)$/.test(entry.name)) files.push(`${rel}${entry.name}`);
    }
  }
  for (const dir of ["routes", "islands", "components", "client", "server", "i18n", "auth", "options"]) {
    await walk(new URL(`${dir}/`, root), `${dir}/`);
  }
  const namespaces = new Set(Object.keys(en).map((k) => k.split(".")[0]));
  for (const file of files) {
    const source = await Deno.readTextFile(new URL(file, root));
    for (const m of source.matchAll(/["'`]([a-z_]+)\.([a-z0-9_]+)["'`]/g)) {
      if (namespaces.has(m[1])) used.add(`${m[1]}.${m[2]}`);
    }
  }
  const unknown = [...used].filter((k) => !Object.hasOwn(en, k));
  assertEquals(unknown, [], "keys used in code but missing from locales/en.json");
  assert(used.size > 200, `found only ${used.size} keys in use: the scan is broken`);
});
