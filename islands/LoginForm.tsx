/** Sign in with `POST /api/user/login {username, password}` (sets the session cookie), then open the console. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";

/** Only same-site paths: `?redirect=https://evil.example` must not become an open redirect. */
function safeRedirect(target: string | null): string {
  return target && target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/\\")
    ? target
    : "/console";
}

export default function LoginForm() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setBusy(true);
    const r = await api<{ require_2fa?: boolean }>("POST", "/api/user/login", {
      username: String(v.username).trim(),
      password: v.password,
    });
    setBusy(false);
    if (r.ok && r.data?.require_2fa) return setMessage({ ok: false, text: t("login.two_factor") });
    if (r.ok) {
      location.assign(safeRedirect(new URL(location.href).searchParams.get("redirect")));
      return;
    }
    setMessage({
      ok: false,
      text: r.status === 404 ? t("common.unavailable") : r.message || t("login.failed"),
    });
  };
  return (
    <form class="form card" onSubmit={submit}>
      <label>
        {t("auth.username")}
        <input name="username" autocomplete="username" required />
      </label>
      <label>
        {t("auth.password")}
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <ActionMessage message={message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("nav.login")}</button>
      <p class="muted">
        {t("login.no_account")} <a href="/register">{t("nav.register")}</a>
      </p>
    </form>
  );
}
