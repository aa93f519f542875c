/** A value shown once (a new API key, new redemption codes): the text, a copy button and a close button. */
import { useI18n } from "../i18n/context.ts";
import { CopyButton } from "./CopyButton.tsx";

export function SecretOnce({ note, value, onClose }: { note: string; value: string; onClose(): void }) {
  const { t } = useI18n();
  return (
    <div class="card key-once" role="alert">
      <p>{note}</p>
      <pre class="secret">{value}</pre>
      <div class="row">
        <CopyButton value={value} />
        <button type="button" class="btn btn-small btn-ghost" onClick={onClose}>{t("common.close")}</button>
      </div>
    </div>
  );
}
