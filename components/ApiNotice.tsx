/**
 * What an island shows instead of data: loading, "not available on this server" (404: the route is not
 * there yet), "sign in" (401), "not allowed" (403) or the API's message. Messages are rendered as text.
 */
import { useI18n } from "../i18n/context.ts";
import type { ApiResult } from "../client/api.ts";

export function ApiNotice({ result, loading }: { result?: ApiResult<unknown>; loading?: boolean }) {
  const { t } = useI18n();
  if (loading || !result) return <p class="notice notice-muted" role="status">{t("common.loading")}</p>;
  if (result.ok) return null;
  if (result.status === 404) {
    return <p class="notice notice-warn" data-state="unavailable">{t("common.unavailable")}</p>;
  }
  if (result.status === 401) {
    return (
      <p class="notice notice-warn" data-state="signed-out">
        {t("common.sign_in_needed")} <a href="/login">{t("nav.login")}</a>
      </p>
    );
  }
  if (result.status === 403) {
    return <p class="notice notice-error" data-state="forbidden">{t("common.forbidden")}</p>;
  }
  return (
    <p class="notice notice-error" data-state="error">
      {result.message || t("common.error", { status: result.status })}
    </p>
  );
}

/** A one-line result of an action (saved, failed: message). */
export function ActionMessage({ message }: { message?: { ok: boolean; text: string } }) {
  if (!message) return null;
  return <p class={`notice ${message.ok ? "notice-ok" : "notice-error"}`} role="status">{message.text}</p>;
}
