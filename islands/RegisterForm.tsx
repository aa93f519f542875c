/** Sign up with `POST /api/user/register {username, password, email?, aff_code?}`, then go to sign in. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";

export default function RegisterForm({ affCode }: { affCode?: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const password = String(v.password);
    if (password.length < 8) return setMessage({ ok: false, text: t("auth.password_rule") });
    if (password !== v.password2) return setMessage({ ok: false, text: t("auth.password_mismatch") });
    setBusy(true);
    const body: Record<string, unknown> = { username: String(v.username).trim(), password };
    if (v.email) body.email = String(v.email).trim();
    if (v.aff_code) body.aff_code = v.aff_code;
    const r = await api("POST", "/api/user/register", body);
    setBusy(false);
    if (r.ok) {
      setMessage({ ok: true, text: t("register.done") });
      location.assign("/login");
    } else {
      setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    }
  };
  return (
    <form class="form card" onSubmit={submit}>
      <label>
        {t("auth.username")}
        <input name="username" autocomplete="username" maxLength={20} required />
      </label>
      <label>
        {t("auth.email_optional")}
        <input name="email" type="email" autocomplete="email" />
      </label>
      <label>
        {t("auth.password")}
        <input name="password" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <label>
        {t("auth.confirm_password")}
        <input name="password2" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <label>
        {t("register.aff_code")}
        <input name="aff_code" defaultValue={affCode ?? ""} />
      </label>
      <ActionMessage message={message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("nav.register")}</button>
      <p class="muted">
        {t("register.have_account")} <a href="/login">{t("nav.login")}</a>
      </p>
    </form>
  );
}
