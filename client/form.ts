/** Reads a submitted form into plain strings and booleans (checkboxes), for islands that post JSON. */
export function formValues(form: HTMLFormElement): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (const element of Array.from(form.elements)) {
    const input = element as HTMLInputElement;
    if (!input.name) continue;
    values[input.name] = input.type === "checkbox" ? input.checked : input.value;
  }
  return values;
}
