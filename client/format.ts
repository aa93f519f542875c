/** Display formats shared by islands: quota as money, timestamps, counts. */

/** New API shows quota in currency units: `quota / quota_per_unit` dollars. */
export function formatQuota(quota: number, quotaPerUnit: number): string {
  return formatMoney(quota / (quotaPerUnit || 500000));
}

/**
 * Dollars: cents from a cent up; below that the digits that matter (at most six decimals), never trailing
 * zeros (`$0.004`, not `$0.004000`).
 */
export function formatMoney(value: number, decimals?: number): string {
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  const places = decimals ?? (abs === 0 || abs >= 0.01 ? 2 : 6);
  let text = abs.toFixed(places);
  if (decimals === undefined && places > 2) text = text.replace(/\.?0+$/, "");
  return `${sign}$${text}`;
}

/**
 * The fewest decimals that write every axis tick exactly (0.002, 0.004 → 3; 0.5, 1 → 2, as cents;
 * 1, 2 → 0), at most six: ticks share one format, and none ends in zeros it does not need.
 */
export function axisDecimals(ticks: number[]): number {
  for (let d = 0; d < 6; d++) {
    // An absolute tolerance far below a quota unit ($0.000002), above float noise (0.30000000000000004).
    if (ticks.every((v) => Math.abs(v - Number(v.toFixed(d))) < 1e-12)) return d === 1 ? 2 : d;
  }
  return 6;
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

/** A byte count in the page's language, in the largest unit that keeps it at least 1 (B, KB, MB, GB, TB). */
export function formatBytes(bytes: number, lang: string): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}
