/**
 * `deno task compile` produces one executable that embeds the console bundle, the locales and the
 * migrations. Deno's runtime (denort) cannot be downloaded here, so DENORT_BIN points at this deno.
 */
import { assert } from "../support/assert.ts";
import { withTempDir } from "../support/temp_dir.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "the compiled binary embeds the console bundle, a locale and the migrations",
  sanitizeResources: false,
  fn: async () => {
    await withTempDir(async (dir) => {
      const output = `${dir}/newapi-deno`;
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["task", "compile"],
        cwd: root,
        env: { DENORT_BIN: Deno.execPath(), OUTPUT: output, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
      assert(run.success, `compile failed:\n${log}`);
      const binary = await Deno.readFile(output);
      const manifest = JSON.parse(await Deno.readTextFile(`${root}static/build/manifest.json`));
      const bundleFile = String(
        Object.values(manifest).find((v) => typeof v === "string" && v.endsWith(".js")) ??
          JSON.stringify(manifest).match(/[\w-]+\.js/)![0],
      );
      const zh = JSON.parse(await Deno.readTextFile(`${root}locales/zh-CN.json`)) as Record<string, string>;
      const locale = Object.values(zh).find((v) => v.length > 6)!;
      const contains = (needle: string) => {
        const bytes = new TextEncoder().encode(needle);
        outer: for (let i = 0; i <= binary.length - bytes.length; i++) {
          for (let j = 0; j < bytes.length; j++) if (binary[i + j] !== bytes[j]) continue outer;
          return true;
        }
        return false;
      };
      assert(contains(bundleFile.split("/").pop()!), `bundle ${bundleFile} inside the binary`);
      assert(contains(locale), `zh-CN text "${locale}" inside the binary`);
      assert(contains("0001_protect_adopted_secrets"), "migrations inside the binary");
    });
  },
});
