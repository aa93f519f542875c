/**
 * An independent check that a text carries no recognisable part of a secret: any 8-character run of it,
 * plain or after undoing percent-encoding and JSON escapes (a few layers), with separators dropped (keys
 * split across lines or fields), or any 8-character run of its base64 / base64url form at each byte
 * alignment. Written apart from `relay/pipeline/redact_secrets.ts` so a blind spot there is not shared.
 */
const RUN = 8;

function grams(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + RUN <= s.length; i++) out.push(s.slice(i, i + RUN));
  return out;
}

function base64Forms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const out: string[] = [];
  for (let a = 0; a < 3; a++) {
    const n = Math.floor((bytes.length - a) / 3) * 3;
    const b64 = btoa(String.fromCharCode(...bytes.subarray(a, a + n)));
    out.push(b64, b64.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

function views(text: string): string[] {
  const out = [text];
  let t = text;
  for (let layer = 0; layer < 3; layer++) {
    t = t.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\u([0-9a-f]{4})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\[nrt]/g, " ");
    out.push(t);
  }
  return [...out, ...out.map((v) => v.replace(/[\s"'`,\\]+/g, ""))];
}

/** The first piece of `secret` found in `text` (and in which form), or undefined. */
export function keyLeak(text: string, secret: string): string | undefined {
  const vs = views(text);
  for (const g of grams(secret)) if (vs.some((v) => v.includes(g))) return `run ${JSON.stringify(g)}`;
  for (const form of base64Forms(secret)) {
    for (const g of grams(form)) if (vs.some((v) => v.includes(g))) return `base64 run ${JSON.stringify(g)}`;
  }
  return undefined;
}
