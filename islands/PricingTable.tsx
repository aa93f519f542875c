/**
 * Public model prices (`GET /api/pricing`: `data` is New API's Pricing list, `group_ratio` and `vendors`
 * beside it). Prices are shown per 1M tokens, or per request for fixed-price models, for the group picked,
 * with one way of writing money; a model with neither a price nor a ratio is said to be unpriced (calls to
 * it are refused) rather than "$0". Vendor and tag filters appear when the data carries vendors or tags.
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
  vendor_id?: number;
  tags?: string;
}

interface Vendor {
  id: number;
  name: string;
}

/** Dollars with two to four decimals, trailing zeros dropped past the cents: $10.00, $0.15, $0.075. */
export function priceText(v: number): string {
  return `$${v.toFixed(4).replace(/(\.\d\d\d*?)0+$/, "$1")}`;
}

const tagsOf = (p: Pricing) => (p.tags ?? "").split(",").map((x) => x.trim()).filter(Boolean);

/** A model ratio of 1 is $0.002 per 1K tokens, i.e. $2 per 1M tokens (New API's convention). */
const DOLLARS_PER_MILLION_AT_RATIO_1 = 2;

export default function PricingTable() {
  const { t } = useI18n();
  const pricing = useApiGet<Pricing[]>("/api/pricing");
  const [group, setGroup] = useState<string>();
  const [filter, setFilter] = useState("");
  const [vendor, setVendor] = useState("");
  const [tag, setTag] = useState("");
  if (!pricing.result?.ok) return <ApiNotice result={pricing.result} loading={pricing.loading} />;
  const items = Array.isArray(pricing.result.data) ? pricing.result.data : [];
  const ratios = (pricing.result.body?.group_ratio ?? {}) as Record<string, number>;
  const groups = Object.keys(ratios).sort();
  const current = group ?? (groups.includes("default") ? "default" : groups[0]);
  const groupRatio = current ? ratios[current] ?? 1 : 1;
  const vendors =
    (Array.isArray(pricing.result.body?.vendors) ? pricing.result.body.vendors : []) as Vendor[];
  const tags = [...new Set(items.flatMap(tagsOf))].sort();
  const shown = items
    .filter((p) => p.model_name.toLowerCase().includes(filter.toLowerCase()))
    .filter((p) => !vendor || String(p.vendor_id ?? "") === vendor)
    .filter((p) => !tag || tagsOf(p).includes(tag))
    .filter((p) => !current || p.enable_groups?.includes(current) || p.enable_groups?.includes("all"))
    .sort((a, b) => a.model_name.localeCompare(b.model_name));
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
        {vendors.length > 0 && (
          <label>
            {t("pricing.vendor")}{" "}
            <select name="vendor" value={vendor} onChange={(e) => setVendor(e.currentTarget.value)}>
              <option value="">{t("log.type_all")}</option>
              {vendors.map((v) => <option key={v.id} value={String(v.id)}>{v.name}</option>)}
            </select>
          </label>
        )}
        {tags.length > 0 && (
          <label>
            {t("pricing.tag")}{" "}
            <select name="tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
              <option value="">{t("log.type_all")}</option>
              {tags.map((x) => <option key={x} value={x}>{x}</option>)}
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
                  const unpriced = !perRequest && !(p.model_ratio > 0);
                  if (unpriced) {
                    return (
                      <tr key={p.model_name} data-unpriced="">
                        <td>
                          <code>{p.model_name}</code>
                        </td>
                        <td colSpan={3} class="muted">{t("pricing.unpriced")}</td>
                      </tr>
                    );
                  }
                  return (
                    <tr key={p.model_name}>
                      <td>
                        <code>{p.model_name}</code>
                      </td>
                      <td>{perRequest ? t("pricing.per_request") : t("pricing.per_token")}</td>
                      <td>
                        {perRequest ? priceText(p.model_price * groupRatio) : `${priceText(input)} / 1M`}
                      </td>
                      <td>{perRequest ? "—" : `${priceText(input * (p.completion_ratio || 1))} / 1M`}</td>
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
