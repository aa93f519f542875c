/** Wallet: the balance (`GET /api/user/self`) and redeeming a code (`POST /api/user/topup {key}`, answers the quota added). */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { TextField } from "../components/FormField.tsx";

export default function TopUp({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t } = useI18n();
  const self = useApiGet<{ quota: number; used_quota: number }>("/api/user/self");
  const action = useAction(self.reload);
  const [busy, setBusy] = useState(false);
  const money = (quota: number) => formatQuota(quota, quotaPerUnit);
  const user = self.result?.ok ? self.result.data : undefined;
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
      <form class="form card" onSubmit={redeem}>
        <h2>{t("topup.redeem")}</h2>
        <TextField label={t("topup.code")} name="key" autocomplete="off" maxLength={64} required />
        <ActionMessage message={action.message} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{t("topup.redeem_submit")}</button>
      </form>
    </div>
  );
}
