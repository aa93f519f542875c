/**
 * Deterministic content for the fake upstream: reply words, token counts, tool arguments and embedding
 * vectors are all derived from the request, so a request sent directly and through the gateway gets the
 * same answer.
 */

/** FNV-1a over a string; the seed for everything else in this module. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hexId(seed: number, len = 12): string {
  let out = "";
  let s = seed || 1;
  while (out.length < len) {
    s = nextRandom(s);
    out += s.toString(16).padStart(8, "0");
  }
  return out.slice(0, len);
}

function nextRandom(s: number): number {
  // xorshift32: tiny, deterministic, good enough for fake text.
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

const VOCABULARY = [
  "alpha",
  "bravo",
  "cloud",
  "delta",
  "ember",
  "fjord",
  "gamma",
  "harbor",
  "island",
  "jade",
  "kite",
  "lumen",
  "maple",
  "nova",
  "orbit",
  "pixel",
  "quartz",
  "river",
  "sierra",
  "tango",
  "umber",
  "vivid",
  "willow",
  "xenon",
  "yonder",
  "zephyr",
];

/** Strips `[fake:...]` directives so they are not echoed back. */
export function stripDirectives(text: string): string {
  return text.replace(/\[fake:[^\]]*\]/g, " ").replace(/\s+/g, " ").trim();
}

/**
 * `count` words: the first few echo the prompt (so a test can see the answer is about its request), the
 * rest come from a PRNG seeded by the whole request.
 */
export function replyWords(prompt: string, seed: number, count: number): string[] {
  const echo = stripDirectives(prompt).split(" ").filter((w) => w !== "").slice(0, 4);
  const words: string[] = [];
  let s = seed || 7;
  for (let i = 0; i < count; i++) {
    if (i < echo.length) {
      words.push(echo[i]);
      continue;
    }
    s = nextRandom(s);
    words.push(VOCABULARY[s % VOCABULARY.length]);
  }
  return words;
}

/** Splits words into stream pieces: the first piece bare, later ones with a leading space. */
export function wordPieces(words: string[]): string[] {
  return words.map((w, i) => (i === 0 ? w : " " + w));
}

/** Token estimate used for all "real" usage numbers: ceil(utf8 bytes / 4), at least 1 for non-empty. */
export function countTokens(text: string): number {
  const bytes = new TextEncoder().encode(text).length;
  return bytes === 0 ? 0 : Math.ceil(bytes / 4);
}

/** Collects every string value under `value` (message texts, tool schemas, ...) for token counting. */
export function allText(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join(" ");
}

// deno-lint-ignore no-explicit-any
type Schema = any;

/** A JSON value that satisfies a (simple) JSON schema, derived from the property names and the seed. */
export function valueForSchema(schema: Schema, name: string, seed: number): unknown {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[seed % schema.enum.length];
  switch (typeof type === "string" ? type.toLowerCase() : "object") {
    case "string":
      return `${name}-${hexId(seed, 4)}`;
    case "integer":
    case "number":
      return (seed % 97) + 1;
    case "boolean":
      return seed % 2 === 0;
    case "array":
      return [valueForSchema(schema?.items ?? { type: "string" }, name, seed)];
    default: {
      const props = schema?.properties ?? {};
      const out: Record<string, unknown> = {};
      let s = seed;
      for (const key of Object.keys(props)) {
        s = nextRandom(s ^ hashText(key));
        out[key] = valueForSchema(props[key], key, s);
      }
      return out;
    }
  }
}

/** A unit-length-ish deterministic vector for `text`. */
export function embeddingVector(text: string, dimensions: number): number[] {
  let s = hashText(text) || 3;
  const v: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    s = nextRandom(s);
    // Values representable exactly in float32, so base64 and float encodings decode to the same numbers.
    v.push(Math.fround(((s % 2001) - 1000) / 1000));
  }
  return v;
}

export function float32Base64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

/** Splits a string into two halves (for streamed tool-call arguments). */
export function splitInTwo(text: string): [string, string] {
  const mid = Math.ceil(text.length / 2);
  return [text.slice(0, mid), text.slice(mid)];
}
