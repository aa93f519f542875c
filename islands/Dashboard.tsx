/**
 * Console home: balance, used quota, requests, RPM/TPM (`GET /api/user/self`, `GET /api/log/self/stat`) and
 * quota / requests over time by model (`GET /api/data/self?start_timestamp&end_timestamp`), 24 h, 7/30 days
 * or a custom range of days (at most 30, the route's limit), then rankings over the same range: by model,
 * by API key (`GET /api/data/flow/self`) and, for admins, by user (`GET /api/data/flow`).
 */
import { useMemo, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { useApiGet } from "../client/use_api.ts";
import { axisDecimals, formatCount, formatMoney, formatQuota } from "../client/format.ts";
import {
  customBounds,
  localDay,
  type QuotaDataRow,
  rangeBounds,
  type RangeName,
  RANGES,
  rankUsage,
  usageSeries,
} from "../client/usage_series.ts";
import { ApiNotice } from "../components/ApiNotice.tsx";
import { UsageChart } from "../components/UsageChart.tsx";
import { UsageRanking } from "../components/UsageRanking.tsx";

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

interface FlowRow {
  username?: string;
  token_id?: number;
  token_name?: string;
  model_name: string;
  token_used: number;
  count: number;
  quota: number;
}

type RankingView = "model" | "token" | "user";

const rankingLabels: Record<RankingView, MessageKey> = {
  model: "dashboard.rank_by_model",
  token: "dashboard.rank_by_key",
  user: "dashboard.rank_by_user",
};

const rangeLabels: Record<RangeName, MessageKey> = {
  "24h": "dashboard.range_24h",
  "7d": "dashboard.range_7d",
  "30d": "dashboard.range_30d",
};

export default function Dashboard(
  { quotaPerUnit, admin = false }: { quotaPerUnit: number; admin?: boolean },
) {
  const { t, lang } = useI18n();
  const [range, setRange] = useState<RangeName | "custom">("24h");
  /** The custom range's days (`YYYY-MM-DD`), applied with its button. */
  const [days, setDays] = useState<{ from: string; to: string } | undefined>(undefined);
  const [view, setView] = useState<RankingView>("model");
  /** Admins may chart another user's usage (`GET /api/data/?username=`); empty is their own. */
  const [username, setUsername] = useState("");
  const now = useMemo(() => Math.floor(Date.now() / 1000), [range, days]);
  const custom = range === "custom" && days ? customBounds(days.from, days.to) : undefined;
  const preset = range === "custom" ? undefined : rangeBounds(now, range);
  const bounds = preset ? { ...preset, bucket: RANGES[range as RangeName].bucket } : custom;
  // Only an admin's look at another user has no 30-day limit (`/api/data/`); the rest answer one month.
  const tooLong = custom?.tooLong === true && !(admin && username);
  const { start, end, bucket } = bounds && !tooLong ? bounds : { start: 0, end: 0, bucket: 3600 };
  const ready = end > start;
  const span = `start_timestamp=${start}&end_timestamp=${end}`;
  const self = useApiGet<SelfUser>("/api/user/self");
  const stat = useApiGet<LogStat>(ready ? `/api/log/self/stat?${span}` : undefined);
  const data = useApiGet<QuotaDataRow[]>(
    !ready
      ? undefined
      : admin && username
      ? `/api/data/?username=${encodeURIComponent(username)}&${span}`
      : `/api/data/self?${span}`,
  );
  const flow = useApiGet<FlowRow[]>(
    !ready || view === "model"
      ? undefined
      : view === "user"
      ? `/api/data/flow?${span}${username ? `&username=${encodeURIComponent(username)}` : ""}`
      : `/api/data/flow/self?${span}`,
  );
  const series = useMemo(
    () => usageSeries(Array.isArray(data.result?.data) ? data.result.data : [], start, end, bucket),
    [data.result, start, end, bucket],
  );
  const money = (q: number) => formatQuota(q, quotaPerUnit);
  const perUnit = quotaPerUnit || 500000;
  const moneyTicks = (vs: number[]) => {
    const dollars = vs.map((v) => v / perUnit);
    const decimals = axisDecimals(dollars);
    return dollars.map((v) => formatMoney(v, decimals));
  };
  const countTicks = (vs: number[]) => vs.map((v) => formatCount(v, lang));
  const chart = { lang, bucket, timeLabel: t("dashboard.time") };
  const rows = Array.isArray(data.result?.data) ? data.result.data : [];
  const flowRows = view !== "model" && flow.result?.ok && Array.isArray(flow.result.data)
    ? flow.result.data
    : [];
  const ranking = view === "model"
    ? rankUsage(rows.filter((r) => r.created_at >= start && r.created_at < end), (r) => r.model_name)
    : view === "user"
    ? rankUsage(flowRows, (r) => r.username ?? "")
    : rankUsage(
      flowRows,
      (r) => r.token_name || t("dashboard.deleted_key", { id: r.token_id ?? 0 }),
    );
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
        <button
          type="button"
          class={`btn btn-small ${range === "custom" ? "btn-primary" : ""}`}
          aria-pressed={range === "custom"}
          onClick={() => {
            setRange("custom");
            setDays((d) => d ?? { from: localDay(now - 6 * 86400), to: localDay(now) });
          }}
        >
          {t("dashboard.range_custom")}
        </button>
        {range === "custom" && (
          <form
            class="inline-form"
            data-form="custom-range"
            onSubmit={(e) => {
              e.preventDefault();
              const f = (e.currentTarget as HTMLFormElement).elements;
              const value = (name: string) => (f.namedItem(name) as HTMLInputElement).value;
              setDays({ from: value("from"), to: value("to") });
            }}
          >
            {/* Uncontrolled (read on submit): a re-render while a range loads must not undo typed days. */}
            <input type="date" name="from" aria-label={t("dashboard.range_from")} defaultValue={days?.from} />
            <input type="date" name="to" aria-label={t("dashboard.range_to")} defaultValue={days?.to} />
            <button type="submit" class="btn btn-small">{t("dashboard.range_apply")}</button>
          </form>
        )}
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
      {range === "custom" && (tooLong || !custom) && (
        <p class="notice notice-error" role="alert" data-state="range-invalid">
          {t(tooLong ? "dashboard.range_too_long" : "dashboard.range_invalid")}
        </p>
      )}
      {!ready
        ? null
        : data.result?.ok
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
      {ready && (
        <section class="stack" data-section="ranking">
          <h2>{t("dashboard.ranking")}</h2>
          <div class="toolbar" role="group" aria-label={t("dashboard.ranking")}>
            {(["model", "token", ...(admin ? ["user"] : [])] as RankingView[]).map((v) => (
              <button
                type="button"
                key={v}
                class={`btn btn-small ${v === view ? "btn-primary" : ""}`}
                aria-pressed={v === view}
                onClick={() => setView(v)}
              >
                {t(rankingLabels[v])}
              </button>
            ))}
          </div>
          {view !== "model" && !flow.result?.ok
            ? <ApiNotice result={flow.result} loading={flow.loading} />
            : (
              <UsageRanking
                rows={ranking}
                nameLabel={t(rankingLabels[view])}
                money={money}
                empty={t("dashboard.no_usage")}
              />
            )}
        </section>
      )}
    </div>
  );
}
