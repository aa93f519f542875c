/**
 * Every paged list of `/api` reads `p`/`page_size` by New API's `GetPageQuery` rule, so One API scripts
 * (which count pages from 0) and over-large page sizes get a page, not a 400: `p` absent, 0, negative or
 * not an integer → page 1; the size is the first nonzero integer of `page_size`, `ps`, `size`, else 10,
 * at most 100. Each route answers `{success, message, data: {items, total, page, page_size}}`.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast } from "../../support/console_client.ts";
import { testSecrets } from "../../support/stores.ts";
import { insertUser } from "../../../store/users.ts";
import { createToken } from "../../../store/tokens.ts";
import { insertChannel } from "../../../store/channels.ts";
import { insertLogs } from "../../../store/logs.ts";

/** Rows seeded in every list: more than one default page (10), fewer than the cap (100). */
const ROWS = 12;

/** [query, page, page_size, items on that page] for a list of ROWS rows. */
const CASES: [string, number, number, number][] = [
  ["", 1, 10, 10],
  ["p=0", 1, 10, 10],
  ["p=-3", 1, 10, 10],
  ["p=abc", 1, 10, 10],
  ["p=1.5", 1, 10, 10],
  ["p=2", 2, 10, 2],
  ["p=2&page_size=5", 2, 5, 5],
  ["p=3&page_size=5", 3, 5, 2],
  ["p=99", 99, 10, 0],
  ["page_size=1000", 1, 100, ROWS],
  ["page_size=100", 1, 100, ROWS],
  ["page_size=abc", 1, 10, 10],
  ["page_size=0", 1, 10, 10],
  ["page_size=-5", 1, 10, 10],
  ["page_size=0&ps=3", 1, 3, 3],
  ["ps=4", 1, 4, 4],
  ["size=6", 1, 6, 6],
  ["page_size=2&ps=7", 1, 2, 2],
  ["p=0&page_size=500", 1, 100, ROWS],
];

appTest(
  "every paged list reads p and page_size as New API does: p=0 is page 1, sizes cap at 100",
  async (h) => {
    const { root, alice } = await cast(h);
    const db = h.deps.db;
    const aliceId = alice.userId;
    // cast made 4 users; 8 more make ROWS.
    for (let i = 0; i < ROWS - 4; i++) await insertUser(db, { username: `pager${i}`, passwordHash: "x" });
    for (let i = 0; i < ROWS; i++) {
      await createToken(db, testSecrets.cryptoSecret, aliceId, { name: `tok${i}` });
      await insertChannel(db, testSecrets.cryptoSecret, { name: `ch${i}`, key: `sk-${i}`, models: "m" });
    }
    await insertLogs(
      db,
      Array.from(
        { length: ROWS },
        (_, i) => ({ userId: aliceId, type: 2, username: "alice", requestId: `r${i}` }),
      ),
    );
    const made = await root.call("POST", "/api/redemption/", { name: "pg", quota: 5, count: ROWS });
    assertEquals(made.body.data.length, ROWS, made.text);
    await h.deps.cache.publish({ kind: "all" });

    const routes: [ApiClient, string][] = [
      [alice, "/api/token/"],
      [alice, "/api/token/search?keyword=tok"],
      [root, "/api/log/"],
      [alice, "/api/log/self"],
      [root, "/api/user/"],
      [root, "/api/user/search?keyword="],
      [root, "/api/channel/"],
      [root, "/api/redemption/"],
      [root, "/api/redemption/search?keyword=pg"],
    ];
    for (const [client, path] of routes) {
      for (const [query, page, pageSize, count] of CASES) {
        const url = query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path;
        const res = await client.call("GET", url);
        assertEquals(res.status, 200, `${url}: ${res.text.slice(0, 200)}`);
        assertEquals([res.body.success, res.body.message], [true, ""], url);
        const data = res.body.data;
        for (const key of ["items", "total", "page", "page_size"]) assert(key in data, `${url}: no ${key}`);
        assertEquals(
          [data.page, data.page_size, data.total, data.items.length],
          [page, pageSize, ROWS, count],
          url,
        );
      }
      // Pages do not overlap: page 2 continues page 1.
      const ids = async (p: number) =>
        (await client.call("GET", `${path}${path.includes("?") ? "&" : "?"}p=${p}&page_size=5`)).body.data
          .items
          .map((r: { id: number }) => r.id);
      const first = await ids(1), second = await ids(2);
      assertEquals(new Set([...first, ...second]).size, 10, path);
    }
  },
);
