/** Reads a submitted form into plain strings and booleans (checkboxes), for islands that post JSON. */
import type { MessageKey } from "../i18n/messages.ts";

export function formValues(form: HTMLFormElement): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (const element of Array.from(form.elements)) {
    const input = element as HTMLInputElement;
    if (!input.name) continue;
    values[input.name] = input.type === "checkbox" ? input.checked : input.value;
  }
  return values;
}

/** What is wrong with a new password and its confirmation (the API's rule: 8+ characters), if anything. */
export function newPasswordProblem(password: unknown, confirm: unknown): MessageKey | undefined {
  if (String(password ?? "").length < 8) return "auth.password_rule";
  if (password !== confirm) return "auth.password_mismatch";
  return undefined;
}
