/** Wallet: the balance (`GET /api/user/self`) and redeeming a code (`POST /api/user/topup {key}`, answers the quota added). */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";

export default function TopUp({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t } = useI18n();
  const self = useApiGet<{ quota: number; used_quota: number }>("/api/user/self");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const redeem = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const key = String(formValues(form).key).trim();
    if (!key) return;
    setBusy(true);
    const r = await api<number>("POST", "/api/user/topup", { key });
    setBusy(false);
    if (r.ok) {
      form.reset();
      setMessage({
        ok: true,
        text: t("topup.done", { amount: formatQuota(Number(r.data) || 0, quotaPerUnit) }),
      });
      self.reload();
    } else {
      setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    }
  };
  return (
    <div class="stack">
      <div class="cards">
        <div class="card stat">
          <span class="stat-label">{t("dashboard.balance")}</span>
          <span class="stat-value">
            {self.result?.ok && self.result.data ? formatQuota(self.result.data.quota, quotaPerUnit) : "—"}
          </span>
        </div>
        <div class="card stat">
          <span class="stat-label">{t("dashboard.used")}</span>
          <span class="stat-value">
            {self.result?.ok && self.result.data
              ? formatQuota(self.result.data.used_quota, quotaPerUnit)
              : "—"}
          </span>
        </div>
      </div>
      <ApiNotice result={self.result} loading={self.loading} />
      <form class="form card" onSubmit={redeem}>
        <h2>{t("topup.redeem")}</h2>
        <label>
          {t("topup.code")}
          <input name="key" autocomplete="off" maxLength={64} required />
        </label>
        <ActionMessage message={message} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{t("topup.redeem_submit")}</button>
      </form>
    </div>
  );
}
