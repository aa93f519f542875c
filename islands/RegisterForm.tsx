/** Sign up with `POST /api/user/register {username, password, email?, aff_code?}`, then go to sign in. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { formValues, newPasswordProblem } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { NewPasswordFields, TextField } from "../components/FormField.tsx";

export default function RegisterForm({ affCode }: { affCode?: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const action = useAction(() => location.assign("/login"));
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const problem = newPasswordProblem(v.password, v.password2);
    if (problem) return action.say({ ok: false, text: t(problem) });
    const body: Record<string, unknown> = { username: String(v.username).trim(), password: v.password };
    if (v.email) body.email = String(v.email).trim();
    if (v.aff_code) body.aff_code = v.aff_code;
    setBusy(true);
    await action.run("POST", "/api/user/register", body, "register.done");
    setBusy(false);
  };
  return (
    <form class="form card" onSubmit={submit}>
      <TextField label={t("auth.username")} name="username" autocomplete="username" maxLength={20} required />
      <TextField label={t("auth.email_optional")} name="email" type="email" autocomplete="email" />
      <NewPasswordFields label={t("auth.password")} confirm="password2" />
      <TextField label={t("register.aff_code")} name="aff_code" value={affCode ?? ""} />
      <ActionMessage message={action.message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("nav.register")}</button>
      <p class="muted">
        {t("register.have_account")} <a href="/login">{t("nav.login")}</a>
      </p>
    </form>
  );
}
