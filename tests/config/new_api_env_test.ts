/** Every New API environment variable is honoured, or named at start with the reason it is not. */
import { assert, assertEquals } from "../support/assert.ts";
import { newApiEnvVars, unhonouredEnvNotices } from "../../config/new_api_env.ts";

const fixture = new URL("../fixtures/new_api/env_vars.txt", import.meta.url);
const newApiNames = (await Deno.readTextFile(fixture)).split("\n").map((l) => l.trim()).filter(Boolean);

Deno.test("the registry lists each of New API's environment variables exactly once", () => {
  const names = newApiEnvVars.map((v) => v.name);
  assertEquals(new Set(names).size, names.length, "no duplicates");
  assertEquals([...names].sort(), [...newApiNames].sort());
  for (const v of newApiEnvVars) {
    if (v.status !== "honoured") assert(v.reason && v.reason.length > 10, `${v.name} says why`);
  }
});

Deno.test("every variable marked honoured is read by the configuration", async () => {
  const source = await Deno.readTextFile(new URL("../../config/env.ts", import.meta.url));
  for (const v of newApiEnvVars.filter((v) => v.status === "honoured")) {
    assert(
      new RegExp(`\\b${v.name}\\b`).test(source),
      `${v.name} is marked honoured but config/env.ts never reads it`,
    );
  }
});

Deno.test("a New API environment carried over names, one line each, what is not honoured", () => {
  const notices = unhonouredEnvNotices({
    REDIS_CONN_STRING: "redis://redis:6379",
    GIN_MODE: "release",
    BATCH_UPDATE_ENABLED: "true",
    SQL_DSN: "postgres://u:p@db/newapi",
    TZ: "Asia/Shanghai",
    UPDATE_TASK: " ",
  });
  assertEquals(notices.length, 2, "REDIS_CONN_STRING is honoured");
  assert(notices[0].startsWith("BATCH_UPDATE_ENABLED is set but not needed: "), notices[0]);
  assert(notices.some((n) => n.startsWith("GIN_MODE is set but not needed")));
  assert(notices.every((n) => !n.startsWith("REDIS_CONN_STRING")));
  assert(notices.every((n) => !n.includes("\n")));
});

Deno.test("README lists every New API variable that is not honoured, with its status", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  for (const v of newApiEnvVars.filter((v) => v.status !== "honoured")) {
    const row = readme.split("\n").find((line) => line.includes(`\`${v.name}\``) && line.includes(v.status));
    assert(row, `README has no "${v.status}" row for ${v.name}`);
  }
});
