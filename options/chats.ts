/**
 * New API's `Chats` option: the chat clients `/chat2link` hands a new API key to, a JSON list of one-entry
 * objects `{"name": "link template"}`. Templates may use the placeholders key, address, cherryConfig,
 * aionuiConfig and deepchatConfig in braces (the browser fills them in: client/chat_link.ts). A link that
 * would carry the key to a web server in its path or query is refused: web clients take it after `#`,
 * which browsers never send. Stored values are read leniently: entries that fail the rules are left out.
 */
import type { Message } from "../i18n/messages.ts";
import type { OptionDef, OptionSource } from "./registry.ts";

export interface ChatClient {
  name: string;
  url: string;
}

const KEY = "Chats";
const MAX_ENTRIES = 64;
const PLACEHOLDERS = new Set(["key", "address", "cherryConfig", "aionuiConfig", "deepchatConfig"]);
const KEY_PLACEHOLDERS = ["{key}", "{cherryConfig}", "{aionuiConfig}", "{deepchatConfig}"];
const BLOCKED_SCHEMES = new Set(["javascript", "data", "vbscript", "file", "blob", "about", "filesystem"]);
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** New API's defaults, less the links that put the key in a web address (Lobe Chat, AI as Workspace). */
export const DEFAULT_CHATS: Record<string, string>[] = [
  { "Cherry Studio": "cherrystudio://providers/api-keys?v=1&data={cherryConfig}" },
  { "AionUI": "aionui://provider/add?v=1&data={aionuiConfig}" },
  { "DeepChat": "deepchat://provider/install?v=1&data={deepchatConfig}" },
  { "AMA 问天": "ama://set-api-key?server={address}&key={key}" },
  { "OpenCat": "opencat://team/join?domain={address}&token={key}" },
];

/** What is wrong with one entry, or undefined. */
export function chatEntryProblem(name: string, url: string): Message | undefined {
  const params = { key: KEY, name: name.slice(0, 64) };
  if (name.trim() === "" || name.length > 100 || CONTROL.test(name)) {
    return { key: "api.option_chats_list", params: { key: KEY, max: MAX_ENTRIES } };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const unknownPlaceholder = [...url.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].some((m) =>
    !PLACEHOLDERS.has(m[1])
  );
  if (
    !scheme || BLOCKED_SCHEMES.has(scheme) || url.length > 4096 || CONTROL.test(url) || unknownPlaceholder ||
    /(^|[^a-z0-9])sk-[a-z0-9]{16,}/i.test(url)
  ) {
    return { key: "api.option_chat_link", params };
  }
  if (scheme === "http" || scheme === "https") {
    let parsed: URL;
    try {
      parsed = new URL(url.replaceAll(/\{[A-Za-z]+\}/g, "x"));
    } catch {
      return { key: "api.option_chat_link", params };
    }
    if (parsed.username || parsed.password) return { key: "api.option_chat_link", params };
    const beforeFragment = url.split("#")[0];
    if (KEY_PLACEHOLDERS.some((p) => beforeFragment.includes(p))) {
      return { key: "api.option_chat_key_in_url", params };
    }
  }
  return undefined;
}

/** The entries of a `Chats` value, or what makes it unacceptable. */
function readChats(text: string): { chats: ChatClient[]; problems: Message[] } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_ENTRIES) return undefined;
  const chats: ChatClient[] = [];
  const problems: Message[] = [];
  for (const item of parsed) {
    const entries = item && typeof item === "object" && !Array.isArray(item) ? Object.entries(item) : [];
    if (entries.length !== 1 || typeof entries[0][1] !== "string") return undefined;
    const [name, url] = [entries[0][0].trim(), (entries[0][1] as string).trim()];
    const problem = chatEntryProblem(name, url);
    if (problem) problems.push(problem);
    else chats.push({ name, url });
  }
  return { chats, problems };
}

export const chatOptions: OptionDef[] = [{
  key: KEY,
  default: JSON.stringify(DEFAULT_CHATS),
  validate: (text) => {
    const read = readChats(text);
    if (!read) return { key: "api.option_chats_list", params: { key: KEY, max: MAX_ENTRIES } };
    return read.problems[0];
  },
}];

/** The chat clients to offer: the stored list's acceptable entries (the default when none is stored). */
export function chatClients(source: OptionSource): ChatClient[] {
  const stored = source.option(KEY);
  return readChats(stored ?? JSON.stringify(DEFAULT_CHATS))?.chats ?? [];
}
