/**
 * Removes secrets from upstream text in every form they come back in. The text is decoded into a view
 * (percent-encoding, JSON and HTML escapes, up to three layers) whose every character remembers the span
 * of the original it came from; separators (spaces, line breaks, quotes, commas) are dropped so a key
 * split across lines or fields reads whole. Any run of ≥ 8 characters of a secret, or of its base64 /
 * base64url form at each of the three byte alignments, is a hit; so are generic key-like patterns. The
 * hits' original spans are replaced, so the output is the original text minus the secrets.
 */

/** What a removed span becomes. */
export const REDACTED = "[redacted]";
/** The shortest run of a secret's characters that counts as a leak. */
export const MIN_FRAGMENT = 8;
/** Secrets shorter than this are not looked for (too many false hits). */
const MIN_SECRET = 6;
/**
 * A run that only reads as a secret once separators are dropped must be this long, or be a whole (short)
 * secret: eight characters across a space are as often two words ("fake Spark" against a key starting
 * `fakeSpark…`) as a key split across lines, which leaves long runs on both sides of each break.
 */
const MIN_SPLIT_RUN = 16;

/** Generic key-like text; the group `v` (or the whole match) is removed. */
const PATTERNS: RegExp[] = [
  /Bearer\s+(?<v>\S+)/dgi,
  /\bsk-(?<v>[A-Za-z0-9_\-*.]{3,})/dg,
  /\bAIza[0-9A-Za-z_\-]{8,}/dg,
  /\b(?:api[_-]?key|key|token|secret|password|authorization)["']?\s*[:=]\s*["']?(?<v>[^\s"',;&]{4,})/dgi,
  /[A-Za-z0-9_\-+/]{32,}={0,2}/dg,
];

/** Dropped from the matching view: what splits a key across lines or fields. */
const SEPARATOR = /[\s"'`,]/;

/** Decoded text; `from[i]`..`to[i]` is the original span of character i. */
interface View {
  text: string;
  from: number[];
  to: number[];
  /** In a compacted view: `gap[i]` when separators were dropped just before character i. */
  gap?: boolean[];
}

function identity(text: string): View {
  const from = new Array<number>(text.length);
  const to = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) (from[i] = i), (to[i] = i + 1);
  return { text, from, to };
}

const HEX = /^[0-9a-fA-F]+$/;
const JSON_SIMPLE: Record<string, string> = { "/": "/", "\\": "\\", '"': '"', n: " ", r: " ", t: " " };

/** One layer of decoding: `%2D`, `\u002d`, `\x2d`, `\/`, `\n`, `&#45;`, `&#x2d;`. */
function decodeOnce(v: View): View {
  const s = v.text;
  let text = "";
  const from: number[] = [];
  const to: number[] = [];
  const emit = (ch: string, start: number, end: number) => {
    text += ch;
    from.push(v.from[start]);
    to.push(v.to[end - 1]);
  };
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === "%" && HEX.test(s.slice(i + 1, i + 3)) && i + 3 <= s.length) {
      const code = parseInt(s.slice(i + 1, i + 3), 16);
      if (code < 0x80) {
        emit(String.fromCharCode(code), i, i + 3);
        i += 3;
        continue;
      }
    } else if (c === "\\") {
      const n = s[i + 1];
      if (n === "u" && HEX.test(s.slice(i + 2, i + 6)) && i + 6 <= s.length) {
        emit(String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
      if (n === "x" && HEX.test(s.slice(i + 2, i + 4)) && i + 4 <= s.length) {
        emit(String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16)), i, i + 4);
        i += 4;
        continue;
      }
      if (n !== undefined && Object.hasOwn(JSON_SIMPLE, n)) {
        emit(JSON_SIMPLE[n], i, i + 2);
        i += 2;
        continue;
      }
    } else if (c === "&" && s[i + 1] === "#") {
      const m = /^&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/.exec(s.slice(i, i + 12));
      if (m) {
        const code = m[1] ? parseInt(m[1], 16) : parseInt(m[2], 10);
        if (code < 0x10000) {
          emit(String.fromCharCode(code), i, i + m[0].length);
          i += m[0].length;
          continue;
        }
      }
    }
    emit(c, i, i + 1);
    i++;
  }
  return { text, from, to };
}

function decoded(text: string): View {
  let v = identity(text);
  for (let layer = 0; layer < 3; layer++) {
    if (!/[%\\&]/.test(v.text)) break;
    const next = decodeOnce(v);
    if (next.text === v.text) break;
    v = next;
  }
  return v;
}

function compact(v: View): View {
  let text = "";
  const from: number[] = [];
  const to: number[] = [];
  const gap: boolean[] = [];
  let dropped = false;
  for (let i = 0; i < v.text.length; i++) {
    if (SEPARATOR.test(v.text[i])) {
      dropped = true;
      continue;
    }
    text += v.text[i];
    from.push(v.from[i]);
    to.push(v.to[i]);
    gap.push(dropped && text.length > 1);
    dropped = false;
  }
  return { text, from, to, gap };
}

const compactString = (s: string) => s.replace(/[\s"'`,]+/g, "");

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The secret's parts worth looking for: JSON string leaves (service-account keys), `|`-joined parts. */
function atoms(secret: string): string[] {
  const s = secret.trim();
  const out = [s];
  if (s.startsWith("{")) {
    try {
      const walk = (v: unknown) => {
        if (typeof v === "string") out.push(v, ...v.split(/\r?\n/));
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
      };
      walk(JSON.parse(s));
    } catch { /* not JSON */ }
  }
  if (s.includes("|")) out.push(...s.split("|"));
  return out.map((a) => a.trim()).filter((a) => a.length >= MIN_SECRET);
}

/** A secret and its base64 / base64url forms at the three alignments (complete groups only). */
function forms(secret: string): string[] {
  const out = [secret];
  const bytes = new TextEncoder().encode(secret);
  for (let a = 0; a < 3; a++) {
    const n = Math.floor((bytes.length - a) / 3) * 3;
    if (n < 6) continue;
    const b64 = base64(bytes.subarray(a, a + n));
    out.push(b64, b64.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

/** What to look for: every 8-character run of every form, and short forms whole. */
interface Matcher {
  grams: Set<string>;
  whole: string[];
}

const compiled = new Map<string, Matcher>();

function matcherFor(secrets: readonly string[]): Matcher {
  const id = secrets.join("\0");
  const hit = compiled.get(id);
  if (hit) return hit;
  const m: Matcher = { grams: new Set(), whole: [] };
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET) continue;
    for (const atom of atoms(secret)) {
      for (const f of forms(atom).map(compactString)) {
        if (f.length < MIN_SPLIT_RUN && f.length >= MIN_SECRET) m.whole.push(f);
        if (f.length < MIN_FRAGMENT) continue;
        for (let i = 0; i + MIN_FRAGMENT <= f.length; i++) m.grams.add(f.slice(i, i + MIN_FRAGMENT));
      }
    }
  }
  if (compiled.size >= 256) compiled.delete(compiled.keys().next().value!);
  compiled.set(id, m);
  return m;
}

type Span = [start: number, end: number];

/** Original spans of the secrets' runs in `text`. */
function secretSpans(text: string, secrets: readonly string[]): Span[] {
  const m = matcherFor(secrets);
  if (m.grams.size === 0 && m.whole.length === 0) return [];
  const v = compact(decoded(text));
  const spans: Span[] = [];
  const t = v.text;
  const gap = v.gap!;
  const crosses = (start: number, end: number) => {
    for (let j = start + 1; j < end; j++) if (gap[j]) return true;
    return false;
  };
  // Runs of overlapping gram hits: a long run is a hit whole, a short one only where no separator was dropped.
  for (let i = 0; i + MIN_FRAGMENT <= t.length;) {
    if (!m.grams.has(t.slice(i, i + MIN_FRAGMENT))) {
      i++;
      continue;
    }
    let last = i;
    while (last + 1 + MIN_FRAGMENT <= t.length && m.grams.has(t.slice(last + 1, last + 1 + MIN_FRAGMENT))) {
      last++;
    }
    const end = last + MIN_FRAGMENT;
    if (end - i >= MIN_SPLIT_RUN) spans.push([v.from[i], v.to[end - 1]]);
    else {
      for (let g = i; g <= last; g++) {
        if (!crosses(g, g + MIN_FRAGMENT)) spans.push([v.from[g], v.to[g + MIN_FRAGMENT - 1]]);
      }
    }
    i = last + 1;
  }
  for (const w of m.whole) {
    for (let i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + 1)) {
      spans.push([v.from[i], v.to[i + w.length - 1]]);
    }
  }
  return spans;
}

/** Original spans of generic key-like text, matched on the decoded text. */
function patternSpans(text: string): Span[] {
  const v = decoded(text);
  const spans: Span[] = [];
  for (const re of PATTERNS) {
    for (const match of v.text.matchAll(re)) {
      const [start, end] = (match.indices!.groups?.v ?? match.indices![0]) as [number, number];
      if (end > start) spans.push([v.from[start], v.to[end - 1]]);
    }
  }
  return spans;
}

/** The redaction of `text`, and whether anything was found. */
export function findSecrets(text: string, secrets: readonly string[] = []): { text: string; found: boolean } {
  if (!text) return { text, found: false };
  const spans = [...secretSpans(text, secrets), ...patternSpans(text)].sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return { text, found: false };
  let out = "";
  let at = 0;
  for (let i = 0; i < spans.length;) {
    const start = spans[i][0];
    let end = spans[i][1];
    for (i++; i < spans.length && spans[i][0] <= end; i++) end = Math.max(end, spans[i][1]);
    out += text.slice(at, Math.max(at, start)) + REDACTED;
    at = Math.max(at, end);
  }
  return { text: out + text.slice(at), found: true };
}

/** `text` without `secrets` (the channel's keys, the caller's key, the upstream auth headers) in any form. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  return findSecrets(text, secrets).text;
}
