/**
 * No secret leaves the server or sits in the database in the clear: every GET route is crawled as each
 * role and searched for canary token keys, channel keys, access tokens and password hashes; both
 * databases are dumped and searched for the same canaries.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { anonymous, type ApiClient, cast, tokenClient } from "../../support/console_client.ts";
import { allTables } from "../../../store/schema/index.ts";

interface Canaries {
  tokenKeys: string[];
  channelKeys: string[];
  accessTokens: string[];
  ids: Record<string, number[]>;
}

/** Creates tokens, channels, codes and access tokens holding canary secrets through the API. */
async function plant(clients: ApiClient[], root: ApiClient): Promise<Canaries> {
  const tokenKeys: string[] = [];
  const accessTokens: string[] = [];
  const tokenIds: number[] = [];
  for (const client of clients) {
    for (const name of ["first", "second"]) {
      const res = await client.call("POST", "/api/token/", { name, remain_quota: 1000 });
      assertEquals(res.body.success, true, res.text);
      tokenKeys.push(res.body.data.key);
      tokenIds.push(res.body.data.id);
    }
    const regenerated = await client.call("POST", `/api/token/${tokenIds.at(-1)}/regenerate`);
    tokenKeys.push(regenerated.body.data.key);
    accessTokens.push((await client.call("POST", "/api/user/token")).body.data);
  }
  const channelKeys = [
    "sk-CANARY-single-9f8e7d6c5b4a",
    "sk-CANARY-batch-a1",
    "sk-CANARY-batch-b2",
    "sk-CANARY-multi-x1",
    "sk-CANARY-multi-y2",
  ];
  const single = await root.call("POST", "/api/channel/", {
    mode: "single",
    channel: { type: 1, name: "single", key: channelKeys[0], models: "gpt-4o", group: "default", tag: "t1" },
  });
  const batch = await root.call("POST", "/api/channel/", {
    mode: "batch",
    channel: { type: 14, name: "batch", key: `${channelKeys[1]}\n${channelKeys[2]}`, models: ["claude-x"] },
  });
  const multi = await root.call("POST", "/api/channel/", {
    mode: "multi_to_single",
    multi_key_mode: "polling",
    channel: { type: 24, name: "multi", key: `${channelKeys[3]}\n${channelKeys[4]}`, models: "gemini-x" },
  });
  const flat = await root.call("POST", "/api/channel/", {
    type: 1,
    name: "flat",
    key: "sk-CANARY-flat-77",
    models: "m",
  });
  channelKeys.push("sk-CANARY-flat-77");
  const channelIds = [single, batch, multi, flat].flatMap((r) => {
    assertEquals(r.body.success, true, r.text);
    return r.body.data.ids as number[];
  });
  await root.call("POST", "/api/redemption/", { name: "gift", quota: 10, count: 2 });
  const codes = (await root.call("GET", "/api/redemption/")).body.data.items.map((r: { id: number }) => r.id);
  const users = (await root.call("GET", "/api/user/?page_size=100")).body.data.items.map((
    u: { id: number },
  ) => u.id);
  return {
    tokenKeys,
    channelKeys,
    accessTokens,
    ids: {
      "/api/user/": users,
      "/api/token/": tokenIds,
      "/api/channel/": channelIds,
      "/api/redemption/": codes,
    },
  };
}

/** Every concrete GET path to try: each registered GET route, with ids filled in. */
function crawlPaths(h: AppHarness, ids: Record<string, number[]>): string[] {
  // Rotates the caller's token / 405 / would ask SYNC_UPSTREAM_BASE on the internet (model_meta_test fakes it).
  const skip = new Set(["/api/user/token", "/api/user/logout", "/api/models/sync_upstream/preview"]);
  const out = new Set<string>([
    "/api/channel/?tag_mode=true",
    "/api/channel/?id_sort=true&status=disabled",
    "/api/channel/search?keyword=CANARY",
    "/api/token/search?keyword=first",
    "/api/user/search?keyword=a",
    "/api/redemption/search?keyword=gift",
    "/api/channel/tag/models?tag=t1",
  ]);
  for (const route of h.app.routes) {
    if (route.method !== "GET" || !route.path.startsWith("/api") || skip.has(route.path)) continue;
    const param = route.path.match(/:id(\{[^}]*\})?/);
    if (!param) {
      out.add(route.path);
      continue;
    }
    const prefix = route.path.slice(0, param.index);
    for (const id of ids[prefix] ?? [1]) out.add(route.path.replace(param[0], String(id)));
  }
  return [...out];
}

appTest("no GET route, for any role, returns a key, an access token or a password hash", async (h) => {
  const { root, admin, alice, bob } = await cast(h);
  const canaries = await plant([root, admin, alice, bob], root);
  // Bob keeps a notification secret in his settings; nobody else may see it (the crawl never signs in as bob).
  await h.deps.db.exec("UPDATE users SET setting = ? WHERE id = ?", [
    JSON.stringify({ notify_type: "webhook", webhook_secret: "whsec-CANARY-bob" }),
    bob.userId,
  ]);
  await h.deps.cache.publish({ kind: "user", id: bob.userId });
  const hashes = (await h.deps.db.query<{ password: string }>("SELECT password FROM users")).map((r) =>
    r.password
  );
  assert(hashes.every((p) => p.startsWith("$2")));
  const secrets = [
    ...canaries.tokenKeys,
    ...canaries.tokenKeys.map((k) => k.slice(3)),
    ...canaries.channelKeys,
    ...canaries.accessTokens,
    ...hashes,
    "whsec-CANARY-bob",
    "$2a$",
    "$2b$",
    "enc:v1:",
    "h1:",
  ];
  const paths = crawlPaths(h, canaries.ids);
  assert(paths.length >= 25, `crawled ${paths.length} paths`);
  // Each role crawls with its session; root also with its (fresh) access token.
  const rootToken = tokenClient(h, (await root.call("POST", "/api/user/token")).body.data, root.userId);
  const callers: [string, (path: string) => Promise<string>][] = [
    ["anonymous", async (p) => (await anonymous(h, "GET", p)).text],
    ["user", async (p) => (await alice.call("GET", p)).text],
    ["admin", async (p) => (await admin.call("GET", p)).text],
    ["root", async (p) => (await root.call("GET", p)).text],
    ["root token", async (p) => (await rootToken.call("GET", p)).text],
  ];
  let answered = 0;
  for (const [role, get] of callers) {
    for (const path of paths) {
      const text = await get(path);
      if (text.includes('"success":true')) answered++;
      for (const secret of secrets) {
        assert(!text.includes(secret), `${role} GET ${path} leaked ${secret.slice(0, 12)}…`);
      }
    }
  }
  assert(
    answered > paths.length * 2,
    `only ${answered} successful answers: the crawl did not reach the data`,
  );
});

appTest("the database holds no token key or access token, and channel keys only as ciphertext", async (h) => {
  const { root, alice } = await cast(h);
  const canaries = await plant([root, alice], root);
  let dump = "";
  for (const table of allTables) {
    dump += JSON.stringify(await h.deps.db.query(`SELECT * FROM "${table.name}"`));
  }
  for (const key of canaries.tokenKeys) {
    assert(!dump.includes(key.slice(3)), `token key ${key.slice(0, 8)}… stored`);
  }
  for (const token of canaries.accessTokens) {
    assert(!dump.includes(token), "an access token is stored in plaintext");
  }
  for (const key of canaries.channelKeys) {
    assert(!dump.includes(key), `channel key ${key} stored in plaintext`);
  }
  assert(!dump.includes("CANARY"), "no fragment of a channel key is stored");
  const stored = await h.deps.db.query<{ key: string }>(`SELECT "key" FROM channels`);
  assertEquals(stored.length, canaries.ids["/api/channel/"].length);
  for (const row of stored) assert(row.key.startsWith("enc:v1:"), "channel keys are AES-GCM ciphertext");
  // The relay's catalog decrypts them.
  const decrypted = [...h.deps.catalog.channels()].flatMap((c) => c.keys);
  for (const key of canaries.channelKeys) assert(decrypted.includes(key), `catalog lacks ${key}`);
});
