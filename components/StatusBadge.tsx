/** A coloured status label (`badge status-<n>`), its text from a status → message key map. */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";

export function StatusBadge({ status, labels }: { status: number; labels: Record<number, MessageKey> }) {
  const { t } = useI18n();
  return <span class={`badge status-${status}`}>{t(labels[status] ?? "status.unknown")}</span>;
}
