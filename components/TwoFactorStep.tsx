/** The sign-in step after the password when 2FA is on: a TOTP or backup code to `POST /api/user/login/2fa`. */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { ActionMessage } from "./ApiNotice.tsx";
import { TextField } from "./FormField.tsx";

export function TwoFactorStep({ flowToken, onDone }: { flowToken: string; onDone: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setBusy(true);
    const r = await action.run("POST", "/api/user/login/2fa", {
      code: String(v.code).trim(),
      flow_token: flowToken,
    });
    setBusy(false);
    if (r.ok) onDone();
  };
  return (
    <form class="form card" onSubmit={submit}>
      <p>{t("login.two_factor")}</p>
      <TextField label={t("login.code")} name="code" autocomplete="one-time-code" required />
      <ActionMessage message={action.message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("login.verify")}</button>
    </form>
  );
}
