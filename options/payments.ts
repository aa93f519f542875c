/**
 * Selling credit: New API's top-up options that this project acts on (Epay, the price rules, Stripe, Creem),
 * each checked before it is saved. Keys and defaults are New API's.
 */
import { boolOption, floatOption, intOption, type OptionDef } from "./registry.ts";
import type { Message } from "../i18n/messages.ts";
import { creemProducts } from "../payments/creem/products.ts";

const PAY_METHODS = [
  { name: "支付宝", color: "rgba(var(--semi-blue-5), 1)", type: "alipay" },
  { name: "微信", color: "rgba(var(--semi-green-5), 1)", type: "wxpay" },
];

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Empty, or an absolute http(s) URL with no credentials in it. */
export function httpUrlOption(key: string): OptionDef {
  return {
    key,
    default: "",
    validate: (v): Message | undefined => {
      if (v === "") return undefined;
      try {
        const u = new URL(v);
        if ((u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password) {
          return undefined;
        }
      } catch { /* reported below */ }
      return { key: "api.option_http_url", params: { key } };
    },
  };
}

const payMethodsOption: OptionDef = {
  key: "PayMethods",
  default: JSON.stringify(PAY_METHODS),
  validate: (v) => {
    const p = parseJson(v);
    const ok = p.ok && Array.isArray(p.value) &&
      p.value.every((m) =>
        m && typeof m === "object" && typeof m.name === "string" && typeof m.type === "string" &&
        /^[A-Za-z0-9_-]{1,32}$/.test(m.type)
      );
    return ok ? undefined : { key: "api.option_pay_methods", params: { key: "PayMethods" } };
  },
};

const amountOptions: OptionDef = {
  key: "payment_setting.amount_options",
  default: JSON.stringify([10, 20, 50, 100, 200, 500]),
  validate: (v) => {
    const p = parseJson(v);
    const ok = p.ok && Array.isArray(p.value) && p.value.length <= 100 &&
      p.value.every((n) => Number.isSafeInteger(n) && n > 0);
    return ok
      ? undefined
      : { key: "api.option_amount_options", params: { key: "payment_setting.amount_options" } };
  },
};

const amountDiscount: OptionDef = {
  key: "payment_setting.amount_discount",
  default: "{}",
  validate: (v) => {
    const p = parseJson(v);
    const ok = p.ok && !!p.value && typeof p.value === "object" && !Array.isArray(p.value) &&
      Object.entries(p.value).every(([k, d]) => /^[1-9]\d{0,15}$/.test(k) && typeof d === "number" && d > 0);
    return ok
      ? undefined
      : { key: "api.option_amount_discount", params: { key: "payment_setting.amount_discount" } };
  },
};

/** A price per unit: a number above 0 (New API's default 0 divides; 0 would give credit away). */
function priceOption(key: string, value: number): OptionDef {
  const base = floatOption(key, value);
  return {
    ...base,
    validate: (v) =>
      base.validate!(v) ??
        (Number(v) > 0 ? undefined : { key: "api.option_positive_number", params: { key } }),
  };
}

export const paymentOptions: OptionDef[] = [
  // Epay / YiPay
  httpUrlOption("PayAddress"),
  { key: "EpayId", default: "" },
  { key: "EpayKey", default: "", secret: true },
  payMethodsOption,
  priceOption("Price", 7.3),
  intOption("MinTopUp", 1, 1, 1_000_000_000),
  httpUrlOption("CustomCallbackAddress"),
  amountOptions,
  amountDiscount,
  // Stripe Checkout
  {
    key: "StripeApiSecret",
    default: "",
    secret: true,
    validate: (v) =>
      v === "" || /^(sk|rk)_[A-Za-z0-9_]+$/.test(v)
        ? undefined
        : { key: "api.option_stripe_api_secret", params: { key: "StripeApiSecret" } },
  },
  {
    key: "StripeWebhookSecret",
    default: "",
    secret: true,
    // GHSA-xff3: Stripe's SDKs sign with an empty key, so an empty secret would accept anyone's events.
    validate: (v) =>
      v.trim() === ""
        ? { key: "api.option_secret_required", params: { key: "StripeWebhookSecret" } }
        : undefined,
  },
  { key: "StripePriceId", default: "" },
  priceOption("StripeUnitPrice", 8),
  intOption("StripeMinTopUp", 1, 1, 10000),
  boolOption("StripePromotionCodesEnabled", false),
  // Creem
  { key: "CreemApiKey", default: "", secret: true },
  {
    key: "CreemWebhookSecret",
    default: "",
    secret: true,
    // An empty secret would make every callback unverifiable; New API once skipped the check in test mode.
    validate: (v) =>
      v.trim() === ""
        ? { key: "api.option_secret_required", params: { key: "CreemWebhookSecret" } }
        : undefined,
  },
  {
    key: "CreemProducts",
    default: "[]",
    validate: (v) => {
      const p = parseJson(v);
      return p.ok && creemProducts.safeParse(p.value).success
        ? undefined
        : { key: "api.option_creem_products", params: { key: "CreemProducts" } };
    },
  },
  boolOption("CreemTestMode", false),
];
