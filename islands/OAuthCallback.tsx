/**
 * The page a provider sends the browser back to (`/oauth/<provider>?code&state`): it hands both to
 * `GET /api/oauth/<provider>` and then opens the console (or the profile after a binding); with 2FA on,
 * the code step comes first.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { TwoFactorStep } from "../components/TwoFactorStep.tsx";

export default function OAuthCallback({ provider }: { provider: string }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const [flowToken, setFlowToken] = useState<string>();
  useEffect(() => {
    const query = new URLSearchParams(location.search);
    // Opened without a provider's answer (a bookmark, a reload after use): nothing to hand over.
    if (!query.get("code") && !query.get("error")) return setError(t("api.oauth_code_missing"));
    const params = new URLSearchParams();
    for (const name of ["code", "state", "error"]) {
      const value = query.get(name);
      if (value) params.set(name, value);
    }
    api<{ action?: string; require_2fa?: boolean; flow_token?: string }>(
      "GET",
      `/api/oauth/${encodeURIComponent(provider)}?${params}`,
    ).then((r) => {
      if (!r.ok) return setError(r.message || t("common.error", { status: r.status }));
      if (r.data?.require_2fa) return setFlowToken(r.data.flow_token ?? "");
      location.assign(r.data?.action === "bind" ? "/console/personal" : "/console");
    });
  }, [provider]);
  if (flowToken !== undefined) {
    return <TwoFactorStep flowToken={flowToken} onDone={() => location.assign("/console")} />;
  }
  return (
    <div class="card">
      {error ? <p class="field-error" role="alert">{error}</p> : <p class="muted">{t("oauth.working")}</p>}
      {error && <a href="/login">{t("nav.login")}</a>}
    </div>
  );
}
