/**
 * Public model prices (`GET /api/pricing`: `data` is New API's Pricing list, `group_ratio` sits beside it).
 * Prices are shown per 1M tokens, or per request for fixed-price models, for the group picked.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { ApiNotice } from "../components/ApiNotice.tsx";

interface Pricing {
  model_name: string;
  quota_type: number;
  model_ratio: number;
  model_price: number;
  completion_ratio: number;
  enable_groups: string[];
  owner_by?: string;
}

/** A model ratio of 1 is $0.002 per 1K tokens, i.e. $2 per 1M tokens (New API's convention). */
const DOLLARS_PER_MILLION_AT_RATIO_1 = 2;

export default function PricingTable() {
  const { t } = useI18n();
  const pricing = useApiGet<Pricing[]>("/api/pricing");
  const [group, setGroup] = useState<string>();
  const [filter, setFilter] = useState("");
  if (!pricing.result?.ok) return <ApiNotice result={pricing.result} loading={pricing.loading} />;
  const items = Array.isArray(pricing.result.data) ? pricing.result.data : [];
  const ratios = (pricing.result.body?.group_ratio ?? {}) as Record<string, number>;
  const groups = Object.keys(ratios).sort();
  const current = group ?? (groups.includes("default") ? "default" : groups[0]);
  const groupRatio = current ? ratios[current] ?? 1 : 1;
  const shown = items
    .filter((p) => p.model_name.toLowerCase().includes(filter.toLowerCase()))
    .filter((p) => !current || p.enable_groups?.includes(current) || p.enable_groups?.includes("all"))
    .sort((a, b) => a.model_name.localeCompare(b.model_name));
  const money = (v: number) => `$${v.toFixed(v >= 1 ? 2 : 4)}`;
  return (
    <div class="manager">
      <div class="toolbar">
        <input
          type="search"
          placeholder={t("pricing.search")}
          aria-label={t("pricing.search")}
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        {groups.length > 0 && (
          <label>
            {t("common.group")}{" "}
            <select value={current} onChange={(e) => setGroup(e.currentTarget.value)}>
              {groups.map((g) => <option key={g} value={g}>{g} (×{ratios[g]})</option>)}
            </select>
          </label>
        )}
      </div>
      {shown.length === 0
        ? <p class="notice notice-muted" data-state="empty">{t("pricing.empty")}</p>
        : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("log.model")}</th>
                  <th>{t("pricing.billing")}</th>
                  <th>{t("pricing.input")}</th>
                  <th>{t("pricing.output")}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => {
                  const perRequest = p.quota_type === 1;
                  const input = p.model_ratio * DOLLARS_PER_MILLION_AT_RATIO_1 * groupRatio;
                  return (
                    <tr key={p.model_name}>
                      <td>
                        <code>{p.model_name}</code>
                      </td>
                      <td>{perRequest ? t("pricing.per_request") : t("pricing.per_token")}</td>
                      <td>{perRequest ? money(p.model_price * groupRatio) : `${money(input)} / 1M`}</td>
                      <td>{perRequest ? "—" : `${money(input * (p.completion_ratio || 1))} / 1M`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}
