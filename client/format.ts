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
