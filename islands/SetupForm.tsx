/**
 * First-run wizard: creates the root user through `POST /api/setup` with New API's body
 * `{username, password, confirmPassword, SelfUseModeEnabled, DemoSiteEnabled}`, then opens sign-in.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useAction } from "../client/use_action.ts";
import { formValues, newPasswordProblem } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { NewPasswordFields, TextField } from "../components/FormField.tsx";

interface SetupStatus {
  status: boolean;
  root_init: boolean;
  database_type: string;
}

export default function SetupForm() {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const action = useAction(() => location.assign("/login"));
  useEffect(() => {
    api<SetupStatus>("GET", "/api/setup").then((r) => {
      if (r.ok && r.data?.status) setDone(true);
    });
  }, []);
  if (done) {
    return (
      <p class="notice notice-ok" data-state="set-up">
        {t("setup.already_done")} <a href="/login">{t("nav.login")}</a>
      </p>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const username = String(v.username).trim();
    if (!username || username.length > 12) return action.say({ ok: false, text: t("setup.username_rule") });
    const problem = newPasswordProblem(v.password, v.confirmPassword);
    if (problem) return action.say({ ok: false, text: t(problem) });
    setBusy(true);
    await action.run("POST", "/api/setup", {
      username,
      password: v.password,
      confirmPassword: v.confirmPassword,
      SelfUseModeEnabled: v.SelfUseModeEnabled === true,
      DemoSiteEnabled: v.DemoSiteEnabled === true,
    }, "setup.done");
    setBusy(false);
  };
  const mode = (name: string, title: string, hint: string) => (
    <label class="check">
      <input name={name} type="checkbox" />
      <span>
        <strong>{title}</strong> — {hint}
      </span>
    </label>
  );
  return (
    <form class="form card" onSubmit={submit}>
      <h2>{t("setup.admin_account")}</h2>
      <TextField label={t("auth.username")} name="username" autocomplete="username" maxLength={12} required />
      <NewPasswordFields label={t("auth.password")} confirm="confirmPassword" />
      <h2>{t("setup.mode")}</h2>
      {mode("SelfUseModeEnabled", t("setup.self_use"), t("setup.self_use_hint"))}
      {mode("DemoSiteEnabled", t("setup.demo_site"), t("setup.demo_site_hint"))}
      <ActionMessage message={action.message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("setup.submit")}</button>
    </form>
  );
}
