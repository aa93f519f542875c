/** The change feed's cursor: holes in the ids are passed at once, filled late, or given up after the grace. */
import { assertEquals } from "../../support/assert.ts";
import { advance, cursorAt, readAfter } from "../../../store/cache/feed_cursor.ts";

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

Deno.test("the cursor starts after the given id and takes only newer rows", () => {
  const c = cursorAt(10);
  assertEquals(readAfter(c), 10);
  assertEquals(ids(advance(c, [{ id: 11 }, { id: 12 }], 0, 1000)), [11, 12]);
  assertEquals(readAfter(c), 12);
  assertEquals(ids(advance(c, [{ id: 12 }], 0, 1000)), [], "a row taken once is not taken again");
});

Deno.test("a hole does not stall the reader: later rows are taken, the hole is read again until it fills", () => {
  const c = cursorAt(0);
  assertEquals(ids(advance(c, [{ id: 1 }, { id: 3 }, { id: 4 }], 0, 1000)), [1, 3, 4]);
  assertEquals(readAfter(c), 1, "the next read starts below the hole at 2");
  assertEquals(ids(advance(c, [{ id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }], 100, 1000)), [2, 5]);
  assertEquals(readAfter(c), 5, "filled: back to reading after the last id");
});

Deno.test("a hole that never fills (a rolled-back insert) is given up after the grace", () => {
  const c = cursorAt(0);
  advance(c, [{ id: 2 }], 0, 1000);
  assertEquals(readAfter(c), 0);
  advance(c, [{ id: 2 }], 500, 1000);
  assertEquals(readAfter(c), 0, "still waited for within the grace");
  advance(c, [{ id: 2 }], 1001, 1000);
  assertEquals(readAfter(c), 2);
});

Deno.test("a jump in the ids tracks a bounded number of holes", () => {
  const c = cursorAt(0);
  assertEquals(ids(advance(c, [{ id: 1_000_000_000 }], 0, 1000)), [1_000_000_000]);
  assertEquals(c.holes.size, 1000);
});
