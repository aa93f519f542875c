/**
 * Edits top-level members of a JSON object without re-serialising the rest: the relay forwards a
 * same-dialect body byte for byte except for the members it must change (the model name after mapping,
 * `stream_options`). Members keep their exact text (numbers beyond 2^53, key order, escapes); only the
 * whitespace between members is normalised. The input must already be known to be valid JSON.
 */

/** Member name → new JSON text, or undefined to delete it. */
export type TopLevelEdits = Record<string, string | undefined>;

interface Member {
  key: string;
  /** The member's source text, `"key": value`. */
  text: string;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at `i` (which is a quote). */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) throw new SyntaxError("unterminated string");
    let slashes = 0;
    for (let k = q - 1; k > i && s.charCodeAt(k) === 0x5c; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the value starting at `i`. */
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') j = skipString(s, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        if (--depth === 0) return j + 1;
      }
    }
    throw new SyntaxError("unterminated value");
  }
  let j = i;
  while (j < s.length && !",}] \n\r\t".includes(s[j])) j++;
  return j;
}

function members(s: string): Member[] {
  let i = skipSpace(s, 0);
  if (s[i] !== "{") throw new SyntaxError("not a JSON object");
  i = skipSpace(s, i + 1);
  const out: Member[] = [];
  while (s[i] !== "}") {
    const keyEnd = skipString(s, i);
    const key = JSON.parse(s.slice(i, keyEnd)) as string;
    const colon = skipSpace(s, keyEnd);
    const valueStart = skipSpace(s, colon + 1);
    const valueEnd = skipValue(s, valueStart);
    out.push({ key, text: s.slice(i, valueEnd) });
    i = skipSpace(s, valueEnd);
    if (s[i] === ",") i = skipSpace(s, i + 1);
  }
  return out;
}

/** Applies `edits` to the object text `s`; returns `s` itself when nothing changes. */
export function editTopLevel(s: string, edits: TopLevelEdits): string {
  const keys = Object.keys(edits);
  if (keys.length === 0) return s;
  const list = members(s);
  const done = new Set<string>();
  const kept: string[] = [];
  for (const m of list) {
    if (!Object.hasOwn(edits, m.key)) {
      kept.push(m.text);
      continue;
    }
    const value = edits[m.key];
    // A duplicated key keeps one member (JSON.parse would have taken the last one anyway).
    if (value !== undefined && !done.has(m.key)) kept.push(`${JSON.stringify(m.key)}:${value}`);
    done.add(m.key);
  }
  const added = keys.filter((k) => !done.has(k) && edits[k] !== undefined).map((k) =>
    `${JSON.stringify(k)}:${edits[k]}`
  );
  if (added.length === 0 && ![...done].length) return s;
  return `{${[...kept, ...added].join(",")}}`;
}
