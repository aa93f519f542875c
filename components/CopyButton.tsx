/** Copies a value to the clipboard and says so. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";

export function CopyButton({ value }: { value: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" class="btn btn-small" onClick={copy}>
      {copied ? t("common.copied") : t("common.copy")}
    </button>
  );
}
