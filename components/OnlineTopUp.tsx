/**
 * The wallet's online top-up, over New API's routes: `GET /api/user/topup/info` says what is offered
 * (amount choices with their discounts, pay methods, Creem products); the price of an amount comes from
 * `POST /api/user/amount` (`/api/user/stripe/amount` for Stripe); paying starts an order with
 * `POST /api/user/pay` (Epay: the browser goes to the gateway with the signed fields), `/api/user/stripe/pay`
 * (`pay_link`) or `/api/user/creem/pay` (`checkout_url`). Those routes answer `{message, data}`, no `success`.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { ActionMessage, ApiNotice } from "./ApiNotice.tsx";

export interface PayMethod {
  name: string;
  type: string;
  min_topup?: string;
}

interface CreemProduct {
  productId: string;
  name: string;
  price: number;
  currency: string;
  quota: number;
}

export interface TopUpInfo {
  enable_online_topup: boolean;
  enable_stripe_topup: boolean;
  enable_creem_topup: boolean;
  pay_methods: PayMethod[] | null;
  min_topup: number;
  stripe_min_topup: number;
  amount_options: number[] | null;
  discount: Record<string, number> | null;
  creem_products: CreemProduct[] | null;
}

/** Sends the browser to `path` answered by a payment route: a redirect never returns here. */
function go(url: string) {
  globalThis.location.assign(url);
}

/** One of the payment routes: the answer's `data` when `message` is `success`, else the refusal. */
async function payCall<T>(path: string, body: unknown): Promise<
  { ok: true; data: T; url?: string } | {
    ok: false;
    text: string;
  }
> {
  const r = await api<T>("POST", path, body);
  const b = r.body ?? {};
  if (b.message === "success") return { ok: true, data: b.data as T, url: b.url as string | undefined };
  const why = typeof b.data === "string" ? b.data : r.message;
  return { ok: false, text: why || String(r.status) };
}

export function OnlineTopUp() {
  const { t } = useI18n();
  const info = useApiGet<TopUpInfo>("/api/user/topup/info");
  const [amount, setAmount] = useState("");
  const [price, setPrice] = useState<string>();
  const [message, say] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const d = info.result?.ok ? info.result.data : undefined;
  if (!d) return info.result?.ok === false ? <ApiNotice result={info.result} /> : null;
  const methods = (d.pay_methods ?? []).filter((m) =>
    m.type === "stripe" ? d.enable_stripe_topup : d.enable_online_topup
  );
  const products = d.enable_creem_topup ? d.creem_products ?? [] : [];
  if (methods.length === 0 && products.length === 0) return null;
  const options = d.amount_options ?? [];
  const discount = d.discount ?? {};

  const quote = async (value: string) => {
    setAmount(value);
    setPrice(undefined);
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) return;
    const route = methods.some((m) => m.type !== "stripe") ? "/api/user/amount" : "/api/user/stripe/amount";
    const r = await payCall<string>(route, { amount: n });
    if (r.ok) setPrice(String(r.data));
    else say({ ok: false, text: r.text });
  };
  const pay = async (method: PayMethod) => {
    const n = Number(amount);
    if (!Number.isInteger(n) || n <= 0) return say({ ok: false, text: t("topup.amount_needed") });
    say(undefined);
    setBusy(true);
    if (method.type === "stripe") {
      const r = await payCall<{ pay_link: string }>("/api/user/stripe/pay", {
        amount: n,
        payment_method: "stripe",
      });
      setBusy(false);
      if (!r.ok) return say({ ok: false, text: r.text });
      return go(r.data.pay_link);
    }
    const r = await payCall<Record<string, string>>("/api/user/pay", {
      amount: n,
      payment_method: method.type,
    });
    setBusy(false);
    if (!r.ok || !r.url) return say({ ok: false, text: r.ok ? t("topup.pay_failed") : r.text });
    // Epay's submit.php takes the signed fields as a GET too; a navigation is not bound by form-action.
    go(`${r.url}?${new URLSearchParams(r.data)}`);
  };
  const buy = async (product: CreemProduct) => {
    say(undefined);
    setBusy(true);
    const r = await payCall<{ checkout_url: string }>("/api/user/creem/pay", {
      product_id: product.productId,
      payment_method: "creem",
    });
    setBusy(false);
    if (!r.ok) return say({ ok: false, text: r.text });
    go(r.data.checkout_url);
  };

  return (
    <section class="card stack" data-section="online-topup">
      <h2>{t("topup.online")}</h2>
      {methods.length > 0 && (
        <>
          {options.length > 0 && (
            <div class="row" role="group" aria-label={t("topup.amount_choices")}>
              {options.map((o) => (
                <button
                  key={o}
                  type="button"
                  class={`btn btn-small${String(o) === amount ? " btn-primary" : ""}`}
                  aria-pressed={String(o) === amount}
                  onClick={() => quote(String(o))}
                >
                  {o}
                  {discount[String(o)] > 0 && discount[String(o)] < 1
                    ? ` (${t("topup.discount", { percent: Math.round((1 - discount[String(o)]) * 100) })})`
                    : ""}
                </button>
              ))}
            </div>
          )}
          <label>
            {t("topup.amount")}
            <input
              name="amount"
              type="number"
              min={String(d.min_topup || 1)}
              step="1"
              value={amount}
              onChange={(e) => quote((e.currentTarget as HTMLInputElement).value)}
            />
            <small class="muted">{t("topup.min", { min: d.min_topup })}</small>
          </label>
          {price !== undefined && <p data-field="price">{t("topup.to_pay", { price })}</p>}
          <div class="row" role="group" aria-label={t("topup.methods")}>
            {methods.map((m) => (
              <button
                key={m.type}
                type="button"
                class="btn btn-primary"
                disabled={busy}
                onClick={() => pay(m)}
              >
                {t("topup.pay_with", { method: m.name || m.type })}
              </button>
            ))}
          </div>
        </>
      )}
      {products.length > 0 && (
        <div class="row" role="group" aria-label={t("topup.products")}>
          {products.map((p) => (
            <button
              key={p.productId}
              type="button"
              class="btn"
              disabled={busy}
              onClick={() => buy(p)}
            >
              {t("topup.product", { name: p.name, price: `${p.price} ${p.currency}` })}
            </button>
          ))}
        </div>
      )}
      <ActionMessage message={message} />
    </section>
  );
}
