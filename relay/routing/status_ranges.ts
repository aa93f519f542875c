/** New API's status-code range lists ("100-199,401-407,429"), parsed once and matched per response. */

export type StatusRanges = readonly (readonly [number, number])[];

/** Parses "a-b,c,..." with codes 100–599; throws with a clear message on anything else. */
export function parseStatusRanges(text: string): StatusRanges {
  const ranges: [number, number][] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = part.match(/^(\d{3})(?:\s*-\s*(\d{3}))?$/);
    if (!m) throw new Error(`invalid status code range "${part}"`);
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (lo < 100 || hi > 599 || lo > hi) throw new Error(`invalid status code range "${part}"`);
    ranges.push([lo, hi]);
  }
  return ranges;
}

export function inRanges(ranges: StatusRanges, status: number): boolean {
  for (const [lo, hi] of ranges) if (status >= lo && status <= hi) return true;
  return false;
}
