/**
 * A reader's place in the change feed (`cache_changes`). AUTO_INCREMENT ids are taken at INSERT and become
 * visible at COMMIT, so a lower id can show up after a higher one, and a rolled-back insert leaves a hole for
 * good. The cursor moves past holes at once (a gap never stalls the reader), keeps reading from the oldest
 * hole for `graceMs` in case it fills, then gives it up: the periodic full resync covers a lost row.
 */

/** Holes tracked at most; an id jump past this (auto_increment_increment, a restarted server) is skipped. */
const MAX_HOLES = 1000;

export interface FeedCursor {
  /** The highest id taken. */
  last: number;
  /** Ids below `last` not seen yet, with when each was first missed (ascending: inserted in id order). */
  holes: Map<number, number>;
}

/** A cursor that starts after `maxId` (an instance that starts reads only what comes after it). */
export function cursorAt(maxId: number): FeedCursor {
  return { last: maxId, holes: new Map() };
}

/** The id the next read starts after: just below the oldest hole, else the last id taken. */
export function readAfter(cursor: FeedCursor): number {
  for (const id of cursor.holes.keys()) return Math.min(id - 1, cursor.last);
  return cursor.last;
}

/**
 * Takes one read's rows (ascending by id) at `nowMs`: returns the rows not taken before, in id order, and
 * updates the cursor (new holes noted, filled and expired ones dropped).
 */
export function advance<T extends { id: number }>(
  cursor: FeedCursor,
  rows: readonly T[],
  nowMs: number,
  graceMs: number,
): T[] {
  const fresh: T[] = [];
  for (const row of rows) {
    if (row.id > cursor.last) {
      for (let id = cursor.last + 1; id < row.id && cursor.holes.size < MAX_HOLES; id++) {
        cursor.holes.set(id, nowMs);
      }
      cursor.last = row.id;
      fresh.push(row);
    } else if (cursor.holes.delete(row.id)) {
      fresh.push(row);
    }
  }
  for (const [id, since] of cursor.holes) {
    if (nowMs - since > graceMs) cursor.holes.delete(id);
  }
  return fresh;
}
