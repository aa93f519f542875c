/**
 * Sign up with `POST /api/user/register {username, password, email?, aff_code?, verification_code?}`, then go
 * to sign in. When `/api/status` says `email_verification`, the email is required and "Send code" mails a
 * code to it (`GET /api/verification?email=`), to be typed into the code field.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues, newPasswordProblem } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { NewPasswordFields, TextField } from "../components/FormField.tsx";

export default function RegisterForm({ affCode }: { affCode?: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [sending, setSending] = useState(false);
  const action = useAction(() => location.assign("/login"));
  const codeAction = useAction();
  const status = useApiGet<{ email_verification?: boolean }>("/api/status");
  const verify = status.result?.data?.email_verification === true;
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const problem = newPasswordProblem(v.password, v.password2);
    if (problem) return action.say({ ok: false, text: t(problem) });
    const body: Record<string, unknown> = { username: String(v.username).trim(), password: v.password };
    if (v.email) body.email = String(v.email).trim();
    if (v.aff_code) body.aff_code = v.aff_code;
    if (verify && v.verification_code) body.verification_code = String(v.verification_code).trim();
    setBusy(true);
    await action.run("POST", "/api/user/register", body, "register.done");
    setBusy(false);
  };
  const sendCode = async (e: Event) => {
    const form = (e.currentTarget as HTMLButtonElement).form;
    const email = form ? String(formValues(form).email ?? "").trim() : "";
    if (!email) return codeAction.say({ ok: false, text: t("register.email_needed") });
    setSending(true);
    await codeAction.run(
      "GET",
      `/api/verification?email=${encodeURIComponent(email)}`,
      undefined,
      "register.code_sent",
    );
    setSending(false);
  };
  return (
    <form class="form card" onSubmit={submit}>
      <TextField label={t("auth.username")} name="username" autocomplete="username" maxLength={20} required />
      <TextField
        label={t(verify ? "auth.email" : "auth.email_optional")}
        name="email"
        type="email"
        autocomplete="email"
        required={verify}
      />
      {verify && (
        <>
          <div>
            <button type="button" class="btn" disabled={sending} onClick={sendCode}>
              {t("register.send_code")}
            </button>
          </div>
          <ActionMessage message={codeAction.message} />
          <TextField
            label={t("register.verification_code")}
            name="verification_code"
            autocomplete="one-time-code"
            maxLength={32}
            required
          />
        </>
      )}
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
