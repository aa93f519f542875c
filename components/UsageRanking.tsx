/**
 * A ranking of usage over the dashboard's range: one row per name (model, user or API key) with its cost,
 * requests, tokens and share of the listed cost, drawn as a bar.
 */
import { useI18n } from "../i18n/context.ts";
import { formatCount } from "../client/format.ts";
import type { RankedUsage } from "../client/usage_series.ts";

export function UsageRanking(
  { rows, nameLabel, money, empty }: {
    rows: RankedUsage[];
    nameLabel: string;
    money: (quota: number) => string;
    empty: string;
  },
) {
  const { t, lang } = useI18n();
  if (rows.length === 0) return <p class="notice notice-muted" data-state="empty">{empty}</p>;
  return (
    <div class="table-wrap">
      <table class="ranking">
        <thead>
          <tr>
            <th>#</th>
            <th>{nameLabel}</th>
            <th>{t("dashboard.cost")}</th>
            <th>{t("dashboard.requests")}</th>
            <th>{t("dashboard.tokens")}</th>
            <th>{t("dashboard.share")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.name} data-name={r.name}>
              <td>{i + 1}</td>
              <td>{r.name}</td>
              <td>{money(r.quota)}</td>
              <td>{formatCount(r.count, lang)}</td>
              <td>{formatCount(r.tokens, lang)}</td>
              <td>
                <span class="share">
                  <span class="share-bar" style={{ width: `${Math.round(r.share * 100)}%` }} />
                  <span class="share-text">{`${(r.share * 100).toFixed(r.share < 0.1 ? 1 : 0)}%`}</span>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
