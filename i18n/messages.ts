/**
 * Message keys and placeholder formatting, shared by the server and islands. The English dictionary is the
 * reference: its keys are the type of every key a page may use.
 */
export type Messages = typeof import("../locales/en.json", { with: { type: "json" }});
export type MessageKey = Extract<keyof Messages, string>;
export type MessageParams = Record<string, string | number>;
export type Dictionary = Record<string, string>;

/** A message still to be put into words, in whichever language the reader wants. */
export interface Message {
  key: MessageKey;
  params?: MessageParams;
}

/** Looks `key` up and fills `{name}` placeholders; an unknown key renders as itself so it is easy to spot. */
export function formatMessage(dict: Dictionary, key: string, params?: MessageParams): string {
  const template = Object.hasOwn(dict, key) ? dict[key] : key;
  if (!params) return template;
  return template.replace(
    /\{(\w+)\}/g,
    (whole, name: string) => Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
