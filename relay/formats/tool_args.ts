/** Tool-call arguments travel as JSON text in OpenAI dialects and as objects in Claude and Gemini. */

/** Parses arguments text into an object: "" is {} (§5.6); text that is not a JSON object is undefined. */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Arguments for a dialect that needs an object: unparseable text is kept under "_raw" rather than lost. */
export function toolArgumentsObject(text: string): Record<string, unknown> {
  return parseToolArguments(text) ?? { _raw: text };
}

/** Object arguments as JSON text (absent means {}). */
export function toolArgumentsText(args: unknown): string {
  return args === undefined || args === null ? "{}" : JSON.stringify(args);
}
