/**
 * Console home: balance, used quota, requests, RPM/TPM (`GET /api/user/self`, `GET /api/log/self/stat`) and
 * quota / requests over time by model (`GET /api/data/self?start_timestamp&end_timestamp`), 24 h or 7/30 days.
 */
import { useMemo, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { useApiGet } from "../client/use_api.ts";
import { axisDecimals, formatCount, formatMoney, formatQuota } from "../client/format.ts";
import {
  type QuotaDataRow,
  rangeBounds,
  type RangeName,
  RANGES,
  usageSeries,
} from "../client/usage_series.ts";
import { ApiNotice } from "../components/ApiNotice.tsx";
import { UsageChart } from "../components/UsageChart.tsx";

interface SelfUser {
  quota: number;
  used_quota: number;
  request_count: number;
}

interface LogStat {
  quota: number;
  rpm: number;
  tpm: number;
}

const rangeLabels: Record<RangeName, MessageKey> = {
  "24h": "dashboard.range_24h",
  "7d": "dashboard.range_7d",
  "30d": "dashboard.range_30d",
};

export default function Dashboard(
  { quotaPerUnit, admin = false }: { quotaPerUnit: number; admin?: boolean },
) {
  const { t, lang } = useI18n();
  const [range, setRange] = useState<RangeName>("24h");
  /** Admins may chart another user's usage (`GET /api/data/?username=`); empty is their own. */
  const [username, setUsername] = useState("");
  const now = useMemo(() => Math.floor(Date.now() / 1000), [range]);
  const { start, end } = rangeBounds(now, range);
  const self = useApiGet<SelfUser>("/api/user/self");
  const stat = useApiGet<LogStat>(`/api/log/self/stat?start_timestamp=${start}&end_timestamp=${end}`);
  const data = useApiGet<QuotaDataRow[]>(
    admin && username
      ? `/api/data/?username=${encodeURIComponent(username)}&start_timestamp=${start}&end_timestamp=${end}`
      : `/api/data/self?start_timestamp=${start}&end_timestamp=${end}`,
  );
  const series = useMemo(
    () =>
      usageSeries(Array.isArray(data.result?.data) ? data.result.data : [], start, end, RANGES[range].bucket),
    [data.result, start, end, range],
  );
  const money = (q: number) => formatQuota(q, quotaPerUnit);
  const perUnit = quotaPerUnit || 500000;
  const moneyTicks = (vs: number[]) => {
    const dollars = vs.map((v) => v / perUnit);
    const decimals = axisDecimals(dollars);
    return dollars.map((v) => formatMoney(v, decimals));
  };
  const countTicks = (vs: number[]) => vs.map((v) => formatCount(v, lang));
  const chart = { lang, bucket: RANGES[range].bucket, timeLabel: t("dashboard.time") };
  const user = self.result?.ok ? self.result.data : undefined;
  const cards: [string, string, string?][] = [
    [t("dashboard.balance"), user ? money(user.quota) : "—"],
    [t("dashboard.used"), user ? money(user.used_quota) : "—"],
    [t("dashboard.requests"), user ? formatCount(user.request_count, lang) : "—"],
    [
      t("dashboard.rpm"),
      stat.result?.ok ? formatCount(stat.result.data?.rpm ?? 0, lang) : "—",
      t("dashboard.last_minute"),
    ],
    [
      t("dashboard.tpm"),
      stat.result?.ok ? formatCount(stat.result.data?.tpm ?? 0, lang) : "—",
      t("dashboard.last_minute"),
    ],
  ];
  return (
    <div class="dashboard">
      <ApiNotice result={self.result} loading={self.loading} />
      <div class="cards">
        {cards.map(([label, value, hint]) => (
          <div class="card stat" key={label}>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{value}</span>
            {hint && <span class="stat-hint">{hint}</span>}
          </div>
        ))}
      </div>
      <div class="toolbar">
        <span>{t("dashboard.range")}</span>
        {(Object.keys(RANGES) as RangeName[]).map((r) => (
          <button
            type="button"
            key={r}
            class={`btn btn-small ${r === range ? "btn-primary" : ""}`}
            aria-pressed={r === range}
            onClick={() => setRange(r)}
          >
            {t(rangeLabels[r])}
          </button>
        ))}
        {admin && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const field = (e.currentTarget as HTMLFormElement).elements.namedItem("username");
              setUsername((field as HTMLInputElement).value.trim());
            }}
          >
            <input
              name="username"
              aria-label={t("dashboard.user_filter")}
              placeholder={t("dashboard.user_filter")}
            />
            <button type="submit" class="btn btn-small">{t("common.search")}</button>
          </form>
        )}
      </div>
      {data.result?.ok
        ? series.models.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("dashboard.no_usage")}</p>
          : (
            <div class="charts">
              <UsageChart
                title={t("dashboard.quota_chart")}
                {...series}
                {...chart}
                values={series.quota}
                format={money}
                ticks={moneyTicks}
              />
              <UsageChart
                title={t("dashboard.requests_chart")}
                {...series}
                {...chart}
                values={series.count}
                format={(v) => formatCount(v, lang)}
                ticks={countTicks}
                whole
              />
            </div>
          )
        : <ApiNotice result={data.result} loading={data.loading} />}
    </div>
  );
}
