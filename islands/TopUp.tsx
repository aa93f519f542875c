/**
 * Wallet: the balance (`GET /api/user/self`), redeeming a code (`POST /api/user/topup {key}`, answers the
 * quota added) and, when `/api/status` says `checkin_enabled`, the daily check-in (`POST /api/user/checkin`,
 * answers `quota_awarded`; `GET /api/user/checkin` lists the month's check-ins), online top-up with the
 * result of a payment the browser came back from, and the user's orders.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { TextField } from "../components/FormField.tsx";
import { OnlineTopUp } from "../components/OnlineTopUp.tsx";
import { TopUpOrders } from "../components/TopUpOrders.tsx";
import { TopUpResult } from "../components/TopUpResult.tsx";
import { SubscriptionPlans } from "../components/SubscriptionPlans.tsx";

interface CheckinRecord {
  checkin_date: string;
  quota_awarded: number;
}

interface CheckinInfo {
  stats: { checkin_count: number; checked_in_today: boolean; records: CheckinRecord[] };
}

function CheckIn({ money, onDone }: { money(quota: number): string; onDone(): void }) {
  const { t } = useI18n();
  const status = useApiGet<{ checkin_enabled?: boolean }>("/api/status");
  const enabled = status.result?.data?.checkin_enabled === true;
  const info = useApiGet<CheckinInfo>(enabled ? "/api/user/checkin" : undefined);
  const action = useAction();
  const [busy, setBusy] = useState(false);
  if (!enabled) return null;
  const stats = info.result?.ok ? info.result.data?.stats : undefined;
  const checkIn = async () => {
    setBusy(true);
    const r = await action.run<{ quota_awarded: number }>("POST", "/api/user/checkin");
    setBusy(false);
    if (!r.ok) return;
    action.say({
      ok: true,
      text: t("topup.checkin_done", { amount: money(Number(r.data?.quota_awarded) || 0) }),
    });
    info.reload();
    onDone();
  };
  return (
    <section class="card stack" data-section="checkin">
      <h2>{t("topup.checkin")}</h2>
      <ApiNotice result={info.result} loading={info.loading} />
      {stats && (
        <p class="muted">
          {t("topup.checkin_month", { count: stats.checkin_count })}
          {stats.checked_in_today ? ` ${t("topup.checkin_today")}` : ""}
        </p>
      )}
      {stats && stats.records.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t("topup.checkin_date")}</th>
                <th>{t("topup.checkin_reward")}</th>
              </tr>
            </thead>
            <tbody>
              {stats.records.map((r) => (
                <tr key={r.checkin_date}>
                  <td>{r.checkin_date}</td>
                  <td>{money(r.quota_awarded)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ActionMessage message={action.message} />
      <div>
        <button type="button" class="btn btn-primary" disabled={busy} onClick={checkIn}>
          {t("topup.checkin_submit")}
        </button>
      </div>
    </section>
  );
}

export default function TopUp({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t } = useI18n();
  const self = useApiGet<{ quota: number; used_quota: number }>("/api/user/self");
  const action = useAction(self.reload);
  const [busy, setBusy] = useState(false);
  const money = (quota: number) => formatQuota(quota, quotaPerUnit);
  const user = self.result?.ok ? self.result.data : undefined;
  // Only in the browser (the server renders without it): Deno has no `location` unless told one.
  const returnedFrom = globalThis.document
    ? new URLSearchParams(globalThis.document.location.search).get("trade_no") ?? ""
    : "";
  const redeem = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const key = String(formValues(form).key).trim();
    if (!key) return;
    setBusy(true);
    const r = await action.run<number>("POST", "/api/user/topup", { key });
    setBusy(false);
    if (!r.ok) return;
    form.reset();
    action.say({ ok: true, text: t("topup.done", { amount: money(Number(r.data) || 0) }) });
  };
  return (
    <div class="stack">
      <div class="cards">
        <div class="card stat">
          <span class="stat-label">{t("dashboard.balance")}</span>
          <span class="stat-value">{user ? money(user.quota) : "—"}</span>
        </div>
        <div class="card stat">
          <span class="stat-label">{t("dashboard.used")}</span>
          <span class="stat-value">{user ? money(user.used_quota) : "—"}</span>
        </div>
      </div>
      <ApiNotice result={self.result} loading={self.loading} />
      {returnedFrom && <TopUpResult tradeNo={returnedFrom} />}
      <OnlineTopUp />
      <SubscriptionPlans quotaPerUnit={quotaPerUnit} onBought={self.reload} />
      <CheckIn money={money} onDone={self.reload} />
      <form class="form card" onSubmit={redeem}>
        <h2>{t("topup.redeem")}</h2>
        <TextField label={t("topup.code")} name="key" autocomplete="off" maxLength={64} required />
        <ActionMessage message={action.message} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{t("topup.redeem_submit")}</button>
      </form>
      <TopUpOrders onChange={self.reload} />
    </div>
  );
}
