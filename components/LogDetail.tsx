/**
 * A log row's detail: its content, then the facts New API keeps in `other` (ratios, first-token time,
 * cache tokens, model mapping, the channels tried) as labelled lines with local times, never raw JSON.
 * Keys it does not know are listed by name, values as text.
 */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { formatQuota } from "../client/format.ts";

export interface LogDetailRow {
  created_at: number;
  content: string;
  quota: number;
  use_time: number;
  request_id?: string;
  other?: string;
}

/** `other` (a JSON string in New API's answers) as an object; `{}` when absent or not an object. */
export function parseOther(other: unknown): Record<string, unknown> {
  if (other && typeof other === "object" && !Array.isArray(other)) return other as Record<string, unknown>;
  if (typeof other !== "string" || !other) return {};
  try {
    const parsed = JSON.parse(other);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The channels a request went through when it was retried ("3 → 5"), or "" when it took one. */
export function retryChain(other: Record<string, unknown>): string {
  const admin = other.admin_info as { use_channel?: unknown } | undefined;
  const chain = Array.isArray(admin?.use_channel) ? admin.use_channel.map(String) : [];
  return chain.length > 1 ? chain.join(" → ") : "";
}

const LABELS: Record<string, MessageKey> = {
  frt: "log.frt",
  request_id: "log.request_id",
  model_ratio: "log.model_ratio",
  group_ratio: "log.group_ratio",
  user_group_ratio: "log.group_ratio",
  completion_ratio: "log.completion_ratio",
  model_price: "log.model_price",
  cache_tokens: "log.cache_tokens",
  cache_ratio: "log.cache_ratio",
  cache_creation_tokens: "log.cache_write_tokens",
  upstream_model_name: "log.upstream_model",
  reasoning_effort: "log.reasoning_effort",
  request_path: "log.request_path",
};
/** Shown through other lines (or meaningless alone). */
const SKIP = new Set(["admin_info", "is_model_mapped", "claude", "cache_write_tokens"]);

const text = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);

export function LogDetail({ row, quotaPerUnit }: { row: LogDetailRow; quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const other = parseOther(row.other);
  const facts: [string, string][] = [
    [
      t("log.time"),
      new Date(row.created_at * 1000).toLocaleString(lang, { dateStyle: "medium", timeStyle: "medium" }),
    ],
  ];
  if (row.request_id) facts.push([t("log.request_id"), row.request_id]);
  if (row.quota) facts.push([t("log.cost"), formatQuota(row.quota, quotaPerUnit)]);
  for (const [key, value] of Object.entries(other)) {
    if (SKIP.has(key) || value === "" || value == null) continue;
    if (key === "request_id" && row.request_id) continue;
    if (key === "model_price" && Number(value) < 0) continue;
    const label = LABELS[key] ? t(LABELS[key]) : key;
    facts.push([label, key === "frt" ? `${Math.round(Number(value))} ms` : text(value)]);
  }
  const retries = retryChain(other);
  if (retries) facts.push([t("log.retry"), retries]);
  return (
    <>
      {row.content && <p class="log-content">{row.content}</p>}
      <dl class="log-facts">
        {facts.map(([label, value], i) => [<dt key={`t${i}`}>{label}</dt>, <dd key={`d${i}`}>{value}</dd>])}
      </dl>
    </>
  );
}
