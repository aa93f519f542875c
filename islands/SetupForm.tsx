/**
 * First-run wizard: creates the root user through `POST /api/setup` with New API's body
 * `{username, password, confirmPassword, SelfUseModeEnabled, DemoSiteEnabled}`.
 */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";

interface SetupStatus {
  status: boolean;
  root_init: boolean;
  database_type: string;
}

export default function SetupForm() {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
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
    const password = String(v.password);
    if (!username || username.length > 12) return setMessage({ ok: false, text: t("setup.username_rule") });
    if (password.length < 8) return setMessage({ ok: false, text: t("auth.password_rule") });
    if (password !== v.confirmPassword) return setMessage({ ok: false, text: t("auth.password_mismatch") });
    setBusy(true);
    const r = await api("POST", "/api/setup", {
      username,
      password,
      confirmPassword: v.confirmPassword,
      SelfUseModeEnabled: v.SelfUseModeEnabled === true,
      DemoSiteEnabled: v.DemoSiteEnabled === true,
    });
    setBusy(false);
    if (r.ok) {
      setMessage({ ok: true, text: t("setup.done") });
      location.assign("/login");
    } else {
      setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    }
  };
  return (
    <form class="form card" onSubmit={submit}>
      <h2>{t("setup.admin_account")}</h2>
      <label>
        {t("auth.username")}
        <input name="username" autocomplete="username" maxLength={12} required />
      </label>
      <label>
        {t("auth.password")}
        <input name="password" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <label>
        {t("auth.confirm_password")}
        <input name="confirmPassword" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <h2>{t("setup.mode")}</h2>
      <label class="check">
        <input name="SelfUseModeEnabled" type="checkbox" />
        <span>
          <strong>{t("setup.self_use")}</strong> — {t("setup.self_use_hint")}
        </span>
      </label>
      <label class="check">
        <input name="DemoSiteEnabled" type="checkbox" />
        <span>
          <strong>{t("setup.demo_site")}</strong> — {t("setup.demo_site_hint")}
        </span>
      </label>
      <ActionMessage message={message} />
      <button type="submit" class="btn btn-primary" disabled={busy}>{t("setup.submit")}</button>
    </form>
  );
}
