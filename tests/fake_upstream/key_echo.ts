/**
 * Error text that echoes the caller's key in altered forms, as careless upstreams and proxies do: URL
 * encoded (fully or partly, either hex case), JSON-escaped, base64 / base64url at each byte alignment
 * (wrapped like MIME), split across lines or fields, or truncated to its tail. Gateways must not pass
 * any of them on.
 */

export const KEY_ECHOES = [
  "raw",
  "url_partial",
  "url_full_upper",
  "url_full_lower",
  "json_partial",
  "json_full",
  "base64",
  "base64url",
  "split_lines",
  "split_fields",
  "truncated",
] as const;
export type KeyEcho = typeof KEY_ECHOES[number];

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
const wrap = (s: string, width: number) => s.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n");

function b64(text: string, url: boolean): string {
  const out = btoa(text);
  return url ? out.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") : out;
}

/** The error message an upstream echoing `key` in the `form` would send. */
export function keyEcho(form: KeyEcho, key: string): string {
  switch (form) {
    case "raw":
      return `Incorrect API key provided: ${key}.`;
    case "url_partial":
      return `Invalid credentials in https://api.example.test/v1?key=${
        key.replace(/[^A-Za-z0-9]/g, (c) => `%${hex(c).toUpperCase()}`)
      }`;
    case "url_full_upper":
      return `Invalid key=${[...key].map((c) => `%${hex(c).toUpperCase()}`).join("")}`;
    case "url_full_lower":
      return `Invalid key=${[...key].map((c) => `%${hex(c)}`).join("")}`;
    case "json_partial":
      return `bad credentials {"api_key":"${key.replace(/-/g, "\\u002d")}"}`;
    case "json_full":
      return `bad credentials {"api_key":"${[...key].map((c) => `\\u00${hex(c)}`).join("")}"}`;
    case "base64":
      // The key at the three byte alignments of the encoded text.
      return `Authorization rejected:\n${
        [key, `u:${key}`, `ab:${key}`].map((t) => wrap(b64(t, false), 16)).join("\n")
      }`;
    case "base64url":
      return `token rejected: ${
        [`{"k":"${key}"}`, `x${key}`, `xy${key}`].map((t) => wrap(b64(t, true), 16)).join(" ")
      }`;
    case "split_lines":
      return `key was:\n${wrap(key, 5)}`;
    case "split_fields":
      return `{"key_head":"${key.slice(0, 4)}","key_mid":"${key.slice(4, 11)}","key_tail":"${
        key.slice(11)
      }"}`;
    case "truncated":
      return `Incorrect API key provided: sk-…${key.slice(-8)}. You can find your API key at the dashboard.`;
  }
}
