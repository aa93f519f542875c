/**
 * Chat with a model through `POST /pg/chat/completions` (session auth, OpenAI chat body, streamed). Model
 * list from `GET /api/user/models`. Answers are shown as plain text, never parsed as HTML.
 */
import { useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { pageUserId } from "../client/api.ts";
import { sseData } from "../client/sse_data.ts";
import { ApiNotice } from "../components/ApiNotice.tsx";

interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const json = JSON.parse(text);
    return json?.error?.message ?? json?.message ?? text;
  } catch {
    return text || res.statusText;
  }
}

export default function Playground() {
  const { t } = useI18n();
  const models = useApiGet<string[]>("/api/user/models");
  const list = Array.isArray(models.result?.data) ? models.result.data : [];
  const [model, setModel] = useState("");
  const [system, setSystem] = useState("");
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState("");
  const [error, setError] = useState<string>();
  const [streaming, setStreaming] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const chosen = model || list[0] || "";

  const send = async (e: Event) => {
    e.preventDefault();
    const text = input.trim();
    if (!text || !chosen || streaming) return;
    const history: Message[] = [...messages, { role: "user", content: text }];
    setMessages([...history, { role: "assistant", content: "" }]);
    setInput("");
    setError(undefined);
    setStreaming(true);
    abort.current = new AbortController();
    let answer = "";
    try {
      const userId = pageUserId();
      const res = await fetch("/pg/chat/completions", {
        method: "POST",
        credentials: "same-origin",
        signal: abort.current.signal,
        headers: { "content-type": "application/json", ...(userId ? { "New-Api-User": userId } : {}) },
        body: JSON.stringify({
          model: chosen,
          stream: true,
          messages: system.trim() ? [{ role: "system", content: system.trim() }, ...history] : history,
        }),
      });
      if (!res.ok || !res.body) throw new Error(await errorText(res));
      for await (const data of sseData(res.body)) {
        if (data === "[DONE]") break;
        const chunk = JSON.parse(data);
        if (chunk?.error) throw new Error(chunk.error.message ?? String(chunk.error));
        answer += chunk?.choices?.[0]?.delta?.content ?? "";
        setMessages([...history, { role: "assistant", content: answer }]);
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") setError((err as Error).message);
    } finally {
      setStreaming(false);
    }
  };

  return (
    <div class="playground">
      <div class="toolbar">
        <label>
          {t("playground.model")}{" "}
          <select
            value={chosen}
            onChange={(e) => setModel(e.currentTarget.value)}
            disabled={list.length === 0}
          >
            {list.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <button type="button" class="btn btn-ghost" onClick={() => setMessages([])} disabled={streaming}>
          {t("playground.clear")}
        </button>
      </div>
      {!models.result?.ok && <ApiNotice result={models.result} loading={models.loading} />}
      <label>
        {t("playground.system")}
        <textarea rows={2} value={system} onInput={(e) => setSystem(e.currentTarget.value)} />
      </label>
      <div class="chat-log" aria-live="polite">
        {messages.length === 0 && <p class="muted">{t("playground.empty")}</p>}
        {messages.map((m, i) => (
          <div key={i} class={`chat-msg chat-${m.role}`}>
            <span class="chat-role">
              {m.role === "user" ? t("playground.you") : t("playground.assistant")}
            </span>
            <div class="chat-text">{m.content}</div>
          </div>
        ))}
      </div>
      {error && <p class="notice notice-error">{error}</p>}
      <form class="chat-input" onSubmit={send}>
        <textarea
          rows={3}
          value={input}
          placeholder={t("playground.placeholder")}
          aria-label={t("playground.placeholder")}
          onInput={(e) => setInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send(e);
          }}
        />
        {streaming
          ? (
            <button type="button" class="btn" onClick={() => abort.current?.abort()}>
              {t("playground.stop")}
            </button>
          )
          : <button type="submit" class="btn btn-primary" disabled={!chosen}>{t("playground.send")}</button>}
      </form>
    </div>
  );
}
