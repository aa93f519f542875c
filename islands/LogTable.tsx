/**
 * Usage logs: `GET /api/log/self` (users) or `GET /api/log/` (admins, adds username and channel filters),
 * with New API's filters and paging; a row opens its detail. Every value is rendered as text.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { asPage, storedUser } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime } from "../client/format.ts";
import { ApiNotice } from "../components/ApiNotice.tsx";
import { Pager } from "../components/Pager.tsx";

interface LogRow {
  id: number;
  created_at: number;
  type: number;
  content: string;
  username?: string;
  token_name: string;
  model_name: string;
  channel?: number;
  channel_name?: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  use_time: number;
  is_stream: boolean;
  other?: unknown;
}

const PAGE_SIZE = 20;
export const LOG_TYPES: Record<number, MessageKey> = {
  1: "log.type_topup",
  2: "log.type_consume",
  3: "log.type_manage",
  4: "log.type_system",
  5: "log.type_error",
  6: "log.type_refund",
};

function toUnix(value: string | boolean | undefined): string {
  const text = String(value ?? "");
  return text ? String(Math.floor(new Date(text).getTime() / 1000)) : "";
}

export default function LogTable({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const [admin, setAdmin] = useState(false);
  const [page, setPage] = useState(1);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<number>();
  useEffect(() => setAdmin((storedUser()?.role ?? 0) >= 10), []);
  const params = new URLSearchParams({ p: String(page), page_size: String(PAGE_SIZE) });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const list = useApiGet<unknown>(`${admin ? "/api/log/" : "/api/log/self"}?${params}`);
  const data = list.result?.ok ? asPage<LogRow>(list.result.data, page, PAGE_SIZE) : undefined;

  const applyFilters = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setPage(1);
    setFilters({
      type: String(v.type ?? ""),
      token_name: String(v.token_name ?? "").trim(),
      model_name: String(v.model_name ?? "").trim(),
      username: admin ? String(v.username ?? "").trim() : "",
      channel: admin ? String(v.channel ?? "").trim() : "",
      start_timestamp: toUnix(v.start),
      end_timestamp: toUnix(v.end),
    });
  };

  return (
    <div class="manager">
      <form class="filters card" onSubmit={applyFilters}>
        <label>
          {t("log.type")}
          <select name="type">
            <option value="">{t("log.type_all")}</option>
            {Object.entries(LOG_TYPES).map(([id, key]) => <option key={id} value={id}>{t(key)}</option>)}
          </select>
        </label>
        <label>
          {t("log.token")}
          <input name="token_name" />
        </label>
        <label>
          {t("log.model")}
          <input name="model_name" />
        </label>
        {admin && (
          <>
            <label>
              {t("auth.username")}
              <input name="username" />
            </label>
            <label>
              {t("log.channel")}
              <input name="channel" inputMode="numeric" />
            </label>
          </>
        )}
        <label>
          {t("log.from")}
          <input name="start" type="datetime-local" />
        </label>
        <label>
          {t("log.to")}
          <input name="end" type="datetime-local" />
        </label>
        <button type="submit" class="btn btn-primary">{t("common.search")}</button>
      </form>
      {data
        ? data.items.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("log.empty")}</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("log.time")}</th>
                    {admin && <th>{t("auth.username")}</th>}
                    <th>{t("log.type")}</th>
                    <th>{t("log.token")}</th>
                    <th>{t("log.model")}</th>
                    <th>{t("log.tokens")}</th>
                    <th>{t("log.cost")}</th>
                    <th>{t("log.duration")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((row) => [
                    <tr
                      key={row.id}
                      class="clickable"
                      onClick={() => setOpen(open === row.id ? undefined : row.id)}
                    >
                      <td>{formatTime(row.created_at, lang)}</td>
                      {admin && <td>{row.username}</td>}
                      <td>{t(LOG_TYPES[row.type] ?? "status.unknown")}</td>
                      <td>{row.token_name}</td>
                      <td>{row.model_name}</td>
                      <td>{row.prompt_tokens} / {row.completion_tokens}</td>
                      <td>{formatQuota(row.quota, quotaPerUnit)}</td>
                      <td>{row.use_time} s{row.is_stream ? ` · ${t("log.stream")}` : ""}</td>
                    </tr>,
                    open === row.id && (
                      <tr key={`${row.id}-detail`} class="detail">
                        <td colSpan={admin ? 8 : 7}>
                          <p class="log-content">{row.content}</p>
                          <pre class="log-other">{JSON.stringify(row, null, 2)}</pre>
                        </td>
                      </tr>
                    ),
                  ])}
                </tbody>
              </table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={setPage} />
            </div>
          )
        : <ApiNotice result={list.result} loading={list.loading} />}
    </div>
  );
}
