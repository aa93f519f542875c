/**
 * The benchmark's request shapes: a ~1 KB non-stream chat, a 50-chunk stream chat and an embeddings call,
 * all in OpenAI's dialect so every target (upstream, bare proxies, gateway, a peer gateway) serves them.
 */

export type ScenarioName = "chat" | "stream" | "embeddings";
export const SCENARIOS: ScenarioName[] = ["chat", "stream", "embeddings"];

export interface Scenario {
  name: ScenarioName;
  label: string;
  path: string;
  stream: boolean;
  /** JSON body; `paceMs` asks the fake upstream to space stream events (open-model timing runs). */
  body(paceMs?: number): string;
}

export const CHAT_MODEL = "gpt-4o-mini";
export const EMBEDDING_MODEL = "text-embedding-3-small";

const filler = "The quick brown fox jumps over the lazy dog while the benchmark counts every byte. ";

function prompt(bytes: number): string {
  return filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes);
}

function chat(stream: boolean, paceMs?: number): string {
  const pace = paceMs ? ` [fake:interval=${paceMs}]` : "";
  return JSON.stringify({
    model: CHAT_MODEL,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    messages: [
      { role: "system", content: "You are a helpful assistant. Answer briefly." },
      { role: "user", content: prompt(900) + pace },
    ],
    max_tokens: 256,
  });
}

export const scenarios: Record<ScenarioName, Scenario> = {
  chat: {
    name: "chat",
    label: "chat, non-stream (~1 KB request)",
    path: "/v1/chat/completions",
    stream: false,
    body: () => chat(false),
  },
  stream: {
    name: "stream",
    label: "chat, stream",
    path: "/v1/chat/completions",
    stream: true,
    body: (paceMs) => chat(true, paceMs),
  },
  embeddings: {
    name: "embeddings",
    label: "embeddings",
    path: "/v1/embeddings",
    stream: false,
    body: () => JSON.stringify({ model: EMBEDDING_MODEL, input: prompt(500) }),
  },
};

export function parseScenarios(text: string): ScenarioName[] {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(SCENARIOS as string[]).includes(name)) {
      throw new Error(`--scenarios: unknown scenario "${name}" (choose from ${SCENARIOS.join(", ")})`);
    }
  }
  return names as ScenarioName[];
}
