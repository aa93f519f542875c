/**
 * The wallet's subscriptions (New API's `/api/subscription/*`): the user's active subscriptions with what is
 * left and until when, and the enabled plans, each bought from the balance (`POST /balance/pay`, when the
 * plan allows it) or through Epay (`POST /epay/pay`: the browser goes to the gateway with the signed fields).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formatQuota, formatTime } from "../client/format.ts";
import { ActionMessage } from "./ApiNotice.tsx";
import type { PayMethod, TopUpInfo } from "./OnlineTopUp.tsx";

interface Plan {
  id: number;
  title: string;
  subtitle: string;
  price_amount: number;
  currency: string;
  duration_unit: string;
  duration_value: number;
  total_amount: number;
  allow_balance_pay: boolean;
}

interface Held {
  subscription: { id: number; plan_id: number; amount_total: number; amount_used: number; end_time: number };
}

export function SubscriptionPlans({ quotaPerUnit, onBought }: { quotaPerUnit: number; onBought(): void }) {
  const { t, lang } = useI18n();
  const plans = useApiGet<{ plan: Plan }[]>("/api/subscription/plans");
  const self = useApiGet<{ subscriptions: Held[] }>("/api/subscription/self");
  const info = useApiGet<TopUpInfo>("/api/user/topup/info");
  const [message, say] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const list = plans.result?.ok ? plans.result.data ?? [] : [];
  const held = self.result?.ok ? self.result.data?.subscriptions ?? [] : [];
  if (list.length === 0 && held.length === 0) return null;
  const d = info.result?.ok ? info.result.data : undefined;
  const epay: PayMethod[] = d?.enable_online_topup
    ? (d.pay_methods ?? []).filter((m) => m.type !== "stripe")
    : [];
  const titleOf = (id: number) => list.find((p) => p.plan.id === id)?.plan.title ?? `#${id}`;

  const buy = async (plan: Plan) => {
    setBusy(true);
    const r = await api("POST", "/api/subscription/balance/pay", { plan_id: plan.id });
    setBusy(false);
    if (!r.ok) return say({ ok: false, text: r.message || String(r.status) });
    say({ ok: true, text: t("subscription.bought", { plan: plan.title }) });
    self.reload();
    onBought();
  };
  const pay = async (plan: Plan, method: PayMethod) => {
    setBusy(true);
    const r = await api<Record<string, string>>("POST", "/api/subscription/epay/pay", {
      plan_id: plan.id,
      payment_method: method.type,
    });
    setBusy(false);
    const b = r.body ?? {};
    if (b.message !== "success" || typeof b.url !== "string") {
      return say({ ok: false, text: typeof b.data === "string" ? b.data : r.message });
    }
    globalThis.location.assign(`${b.url}?${new URLSearchParams(b.data as Record<string, string>)}`);
  };

  return (
    <section class="card stack" data-section="subscriptions">
      <h2>{t("subscription.title")}</h2>
      {held.map(({ subscription: s }) => (
        <p key={s.id} data-subscription={s.id}>
          {t("subscription.active", {
            plan: titleOf(s.plan_id),
            left: formatQuota(Math.max(0, s.amount_total - s.amount_used), quotaPerUnit),
            until: formatTime(s.end_time, lang),
          })}
        </p>
      ))}
      {list.map(({ plan }) => (
        <div key={plan.id} class="row" data-plan={plan.id}>
          <strong>{plan.title}</strong>
          <span class="muted">
            {t("subscription.offer", {
              price: `${plan.price_amount.toFixed(2)} ${plan.currency}`,
              amount: formatQuota(plan.total_amount, quotaPerUnit),
              duration: `${plan.duration_value} ${plan.duration_unit}`,
            })}
          </span>
          {plan.allow_balance_pay && (
            <button
              type="button"
              class="btn btn-small"
              disabled={busy}
              onClick={() => buy(plan)}
            >
              {t("subscription.buy_balance")}
            </button>
          )}
          {plan.price_amount >= 0.01 &&
            epay.map((m) => (
              <button
                key={m.type}
                type="button"
                class="btn btn-small"
                disabled={busy}
                onClick={() => pay(plan, m)}
              >
                {t("topup.pay_with", { method: m.name || m.type })}
              </button>
            ))}
        </div>
      ))}
      <ActionMessage message={message} />
    </section>
  );
}
