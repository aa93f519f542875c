/**
 * New API's hard-coded completion-ratio rules by model family. A "locked" rule wins over the
 * `CompletionRatio` option (the vendor's published output/input price ratio); an unlocked one is only the
 * fallback when the option has no entry. Names containing "/" (OpenRouter-style) prefer the option.
 */

export interface FamilyRatio {
  ratio: number;
  locked: boolean;
}

const r = (ratio: number, locked: boolean): FamilyRatio => ({ ratio, locked });

const COMMAND: Record<string, number> = {
  "command-r": 3,
  "command-r-plus": 5,
  "command-r-08-2024": 4,
  "command-r-plus-08-2024": 4,
};

const FIXED_NAMES: Record<string, number> = {
  "llama2-70b-4096": 0.8 / 0.64,
  "llama3-8b-8192": 2,
  "llama3-70b-8192": 0.79 / 0.59,
};

function gptFamily(name: string): FamilyRatio {
  if (name.startsWith("gpt-4o")) {
    if (name === "gpt-4o-2024-05-13") return r(3, true);
    if (name.startsWith("gpt-4o-mini-tts")) return r(20, false);
    return r(4, false);
  }
  if (name.startsWith("gpt-5")) {
    if (!name.includes(".")) return r(8, true);
    if (name.startsWith("gpt-5.4")) return r(name.startsWith("gpt-5.4-nano") ? 6.25 : 6, true);
    return r(6, false);
  }
  if (name.startsWith("gpt-4.5-preview")) return r(2, true);
  if (name.startsWith("gpt-4-turbo") || name.endsWith("gpt-4-1106") || name.endsWith("gpt-4-1105")) {
    return r(3, true);
  }
  return r(2, false);
}

function geminiFamily(name: string): FamilyRatio {
  if (name.startsWith("gemini-1.5") || name.startsWith("gemini-2.0")) return r(4, true);
  if (name.startsWith("gemini-2.5-pro")) return r(8, false);
  if (name.startsWith("gemini-2.5-flash")) {
    if (name.startsWith("gemini-2.5-flash-preview")) {
      return r(name.endsWith("-nothinking") ? 4 : 3.5 / 0.15, false);
    }
    if (name.startsWith("gemini-2.5-flash-lite")) return r(4, false);
    return r(2.5 / 0.3, false);
  }
  if (name.startsWith("gemini-robotics-er-1.5")) return r(2.5 / 0.3, false);
  if (name.startsWith("gemini-3-pro")) return r(name.startsWith("gemini-3-pro-image") ? 60 : 6, false);
  return r(4, false);
}

const CLAUDE_FAMILIES = [
  "claude-3",
  "claude-sonnet-4",
  "claude-opus-4",
  "claude-haiku-4",
  "claude-fable-5",
  "claude-sonnet-5",
  "claude-opus-5",
];

/** The family rule for a (normalised) model name. */
export function familyCompletionRatio(name: string): FamilyRatio {
  if (name.endsWith("-all") || name.endsWith("-gizmo-*")) return r(2, false);
  // Every gpt- name (gpt-3.5 included: New API's separate gpt-3.5 rules are unreachable) is decided here.
  if (name.startsWith("gpt-")) return gptFamily(name);
  if (name.startsWith("o1") || name.startsWith("o3")) return r(4, true);
  if (name === "chatgpt-4o-latest") return r(3, true);
  if (CLAUDE_FAMILIES.some((f) => name.includes(f))) return r(5, true);
  if (name.startsWith("mistral-")) return r(3, true);
  if (name.startsWith("gemini-")) return geminiFamily(name);
  if (name.startsWith("command")) {
    const fixed = COMMAND[name];
    return fixed === undefined ? r(4, false) : r(fixed, true);
  }
  if (/^ERNIE-(Speed-|Lite-|Character|Functions)/.test(name)) return r(2, true);
  const fixed = FIXED_NAMES[name];
  if (fixed !== undefined) return r(fixed, true);
  return r(1, false);
}
