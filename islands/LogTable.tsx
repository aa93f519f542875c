/**
 * Usage logs: `GET /api/log/self` (users) or `GET /api/log/` (admins, adds username and channel filters and
 * the channel, group, IP and retry columns), with New API's filters and paging; a row opens its detail
 * (`other` parsed into labelled facts). Top-ups show as credits. Every value is rendered as text; on a
 * phone rows are cards.
 */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime, unixFromLocalInput } from "../client/format.ts";
import { SelectField, TextField } from "../components/FormField.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { LogDetail, parseOther, retryChain } from "../components/LogDetail.tsx";

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
  group?: string;
  ip?: string;
  request_id?: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  use_time: number;
  is_stream: boolean;
  other?: string;
}

/** Rows that move money into the account: their quota is a credit, not a charge. */
const CREDIT_TYPES = new Set([1, 6]);
/** Rows about a call: they have tokens and a duration. */
const CALL_TYPES = new Set([2, 5]);

/** Milliseconds as "420 ms" or "1.3 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
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
        cards
        detail={(row) => <LogDetail row={row} quotaPerUnit={quotaPerUnit} />}
        columns={[
          { label: t("log.time"), cell: (row) => formatTime(row.created_at, lang) },
          admin && { label: t("auth.username"), cell: (row) => row.username },
          { label: t("log.type"), cell: (row) => t(LOG_TYPES[row.type] ?? "status.unknown") },
          { label: t("log.token"), cell: (row) => row.token_name || "—" },
          { label: t("log.model"), cell: (row) => row.model_name || "—" },
          admin && {
            label: t("log.channel_col"),
            cell: (row) =>
              row.channel ? `#${row.channel}${row.channel_name ? ` ${row.channel_name}` : ""}` : "—",
          },
          admin && { label: t("log.group"), cell: (row) => row.group || "—" },
          {
            label: t("log.tokens"),
            cell: (row) => CALL_TYPES.has(row.type) ? `${row.prompt_tokens} / ${row.completion_tokens}` : "—",
          },
          {
            label: t("log.cost"),
            cell: (row) =>
              CREDIT_TYPES.has(row.type)
                ? (
                  <span class="credit" title={t("log.credit")}>
                    +{formatQuota(row.quota, quotaPerUnit)}
                  </span>
                )
                : row.quota || CALL_TYPES.has(row.type)
                ? formatQuota(row.quota, quotaPerUnit)
                : "—",
          },
          {
            label: t("log.duration"),
            cell: (row) => {
              if (!CALL_TYPES.has(row.type)) return "—";
              const frt = Number(parseOther(row.other).frt);
              const parts = [row.use_time >= 1 ? `${row.use_time} s` : "< 1 s"];
              if (row.is_stream && frt > 0) parts.push(`${t("log.frt_short")} ${formatMs(frt)}`);
              if (row.is_stream) parts.push(t("log.stream"));
              return parts.join(" · ");
            },
          },
          admin && { label: t("log.retry"), cell: (row) => retryChain(parseOther(row.other)) || "—" },
          admin && { label: t("log.ip"), cell: (row) => row.ip || "—" },
        ]}
      />
    </div>
  );
}
