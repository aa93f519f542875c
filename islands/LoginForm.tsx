/** Sign in with `POST /api/user/login {username, password}` (sets the session cookie), then open the console. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { TextField } from "../components/FormField.tsx";

/** Only same-site paths: `?redirect=https://evil.example` must not become an open redirect. */
function safeRedirect(target: string | null): string {
  return target && target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/\\")
    ? target
    : "/console";
}

export default function LoginForm() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setBusy(true);
    const r = await action.run<{ require_2fa?: boolean }>("POST", "/api/user/login", {
      username: String(v.username).trim(),
      password: v.password,
    });
    setBusy(false);
    if (!r.ok) return;
    if (r.data?.require_2fa) return action.say({ ok: false, text: t("login.two_factor") });
    location.assign(safeRedirect(new URL(location.href).searchParams.get("redirect")));
  };
  return (
    <form class="form card" onSubmit={submit}>
      <TextField label={t("auth.username")} name="username" autocomplete="username" required />
      <TextField
        label={t("auth.password")}
        name="password"
        type="password"
        autocomplete="current-password"
        required
      />
      <ActionMessage message={action.message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("nav.login")}</button>
      <p class="muted">
        {t("login.no_account")} <a href="/register">{t("nav.register")}</a>
      </p>
    </form>
  );
}
