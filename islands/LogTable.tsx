/**
 * Usage logs: `GET /api/log/self` (users) or `GET /api/log/` (admins, adds username and channel filters),
 * with New API's filters and paging; a row opens its detail. Every value is rendered as text.
 */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime, unixFromLocalInput } from "../client/format.ts";
import { SelectField, TextField } from "../components/FormField.tsx";
import { PagedTable } from "../components/PagedTable.tsx";

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

export const LOG_TYPES: Record<number, MessageKey> = {
  1: "log.type_topup",
  2: "log.type_consume",
  3: "log.type_manage",
  4: "log.type_system",
  5: "log.type_error",
  6: "log.type_refund",
};

const time = (value: string | boolean | undefined) => {
  const unix = unixFromLocalInput(value, 0);
  return unix ? String(unix) : "";
};

export default function LogTable({ quotaPerUnit, admin }: { quotaPerUnit: number; admin: boolean }) {
  const { t, lang } = useI18n();
  const list = usePagedList<LogRow>(admin ? "/api/log/" : "/api/log/self");
  const applyFilters = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    list.filter({
      type: String(v.type ?? ""),
      token_name: String(v.token_name ?? "").trim(),
      model_name: String(v.model_name ?? "").trim(),
      username: admin ? String(v.username ?? "").trim() : "",
      channel: admin ? String(v.channel ?? "").trim() : "",
      start_timestamp: time(v.start),
      end_timestamp: time(v.end),
    });
  };

  return (
    <div class="manager">
      <form class="filters card" onSubmit={applyFilters}>
        <SelectField
          label={t("log.type")}
          name="type"
          value=""
          options={[
            ["", t("log.type_all")],
            ...Object.entries(LOG_TYPES).map(([id, key]): [string, string] => [id, t(key)]),
          ]}
        />
        <TextField label={t("log.token")} name="token_name" />
        <TextField label={t("log.model")} name="model_name" />
        {admin && <TextField label={t("auth.username")} name="username" />}
        {admin && <TextField label={t("log.channel")} name="channel" inputMode="numeric" />}
        <TextField label={t("log.from")} name="start" type="datetime-local" />
        <TextField label={t("log.to")} name="end" type="datetime-local" />
        <button type="submit" class="btn btn-primary">{t("common.search")}</button>
      </form>
      <PagedTable
        list={list}
        empty={t("log.empty")}
        detail={(row) => (
          <>
            <p class="log-content">{row.content}</p>
            <pre class="log-other">{JSON.stringify(row, null, 2)}</pre>
          </>
        )}
        columns={[
          { label: t("log.time"), cell: (row) => formatTime(row.created_at, lang) },
          admin && { label: t("auth.username"), cell: (row) => row.username },
          { label: t("log.type"), cell: (row) => t(LOG_TYPES[row.type] ?? "status.unknown") },
          { label: t("log.token"), cell: (row) => row.token_name },
          { label: t("log.model"), cell: (row) => row.model_name },
          { label: t("log.tokens"), cell: (row) => `${row.prompt_tokens} / ${row.completion_tokens}` },
          { label: t("log.cost"), cell: (row) => formatQuota(row.quota, quotaPerUnit) },
          {
            label: t("log.duration"),
            cell: (row) => `${row.use_time} s${row.is_stream ? ` · ${t("log.stream")}` : ""}`,
          },
        ]}
      />
    </div>
  );
}
