/** The small buttons in a table row: a plain action, and the enable/disable toggle every list has. */
import { useI18n } from "../i18n/context.ts";

export function RowButton({ label, onClick }: { label: string; onClick(): void }) {
  return <button type="button" class="btn btn-small" onClick={onClick}>{label}</button>;
}

/** "Disable" for an enabled row, "Enable" otherwise. */
export function StatusToggle({ enabled, onToggle }: { enabled: boolean; onToggle(): void }) {
  const { t } = useI18n();
  return <RowButton label={enabled ? t("common.disable") : t("common.enable")} onClick={onToggle} />;
}
