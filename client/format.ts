/** Display formats shared by islands: quota as money, timestamps, counts. */

/** New API shows quota in currency units: `quota / quota_per_unit` dollars. */
export function formatQuota(quota: number, quotaPerUnit: number): string {
  const value = quota / (quotaPerUnit || 500000);
  return `$${value.toFixed(value === 0 || Math.abs(value) >= 0.01 ? 2 : 6)}`;
}

export function formatTime(unixSeconds: number, lang: string): string {
  if (!unixSeconds || unixSeconds < 0) return "—";
  return new Date(unixSeconds * 1000).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
}

export function formatCount(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** Parses a money amount typed by a user into quota units; NaN when it is not a non-negative number. */
export function quotaFromAmount(amount: string, quotaPerUnit: number): number {
  const value = Number(amount);
  if (amount.trim() === "" || !Number.isFinite(value) || value < 0) return NaN;
  return Math.round(value * (quotaPerUnit || 500000));
}

/** A `datetime-local` field's value for a Unix time ("" for none: 0 or -1). */
export function localInputValue(unixSeconds: number): string {
  if (!unixSeconds || unixSeconds < 0) return "";
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

/** The Unix time a `datetime-local` value names, or `none` when the field is empty. */
export function unixFromLocalInput(value: string | boolean | undefined, none: number): number {
  const text = String(value ?? "");
  return text ? Math.floor(new Date(text).getTime() / 1000) : none;
}

/** A money amount for a form field (quota → currency units, no symbol). */
export function amountFromQuota(quota: number, quotaPerUnit: number): string {
  return String(Math.round((quota / (quotaPerUnit || 500000)) * 1e6) / 1e6);
}
