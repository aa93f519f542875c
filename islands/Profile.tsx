/**
 * Personal settings: account summary (`GET /api/user/self`), password change (`PUT /api/user/self
 * {original_password, password}`), access token for scripts (`GET /api/user/token`, shown once) and
 * notification settings (`PUT /api/user/setting`).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { CopyButton } from "../components/CopyButton.tsx";

interface SelfUser {
  id: number;
  username: string;
  display_name: string;
  email: string;
  group: string;
  role: number;
  quota: number;
  setting?: string;
}

interface NotifySetting {
  notify_type?: string;
  quota_warning_threshold?: number;
  webhook_url?: string;
  notification_email?: string;
}

function parseSetting(raw: string | undefined): NotifySetting {
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

export default function Profile({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t } = useI18n();
  const self = useApiGet<SelfUser>("/api/user/self");
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [accessToken, setAccessToken] = useState<string>();
  const user = self.result?.ok ? self.result.data : undefined;
  const setting = parseSetting(user?.setting);
  const report = (r: { ok: boolean; status: number; message: string }) =>
    setMessage(
      r.ok
        ? { ok: true, text: t("common.saved") }
        : { ok: false, text: r.status === 404 ? t("common.unavailable") : r.message },
    );

  const changePassword = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    const password = String(v.password);
    if (password.length < 8) return setMessage({ ok: false, text: t("auth.password_rule") });
    if (password !== v.password2) return setMessage({ ok: false, text: t("auth.password_mismatch") });
    const r = await api("PUT", "/api/user/self", { original_password: v.original_password, password });
    report(r);
    if (r.ok) form.reset();
  };
  const newAccessToken = async () => {
    if (!confirm(t("profile.access_token_confirm"))) return;
    const r = await api<string>("GET", "/api/user/token");
    if (r.ok && typeof r.data === "string") setAccessToken(r.data);
    else report(r);
  };
  const saveNotify = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    report(
      await api("PUT", "/api/user/setting", {
        notify_type: v.notify_type,
        quota_warning_threshold: Number(v.quota_warning_threshold) || 0,
        webhook_url: String(v.webhook_url).trim(),
        notification_email: String(v.notification_email).trim(),
      }),
    );
  };

  return (
    <div class="stack">
      <ApiNotice result={self.result} loading={self.loading} />
      {user && (
        <dl class="card summary">
          <dt>{t("auth.username")}</dt>
          <dd>{user.username}</dd>
          <dt>{t("user.display_name")}</dt>
          <dd>{user.display_name || "—"}</dd>
          <dt>{t("auth.email")}</dt>
          <dd>{user.email || "—"}</dd>
          <dt>{t("common.group")}</dt>
          <dd>{user.group}</dd>
          <dt>{t("dashboard.balance")}</dt>
          <dd>{formatQuota(user.quota, quotaPerUnit)}</dd>
        </dl>
      )}
      <ActionMessage message={message} />
      <form class="form card" onSubmit={changePassword}>
        <h2>{t("profile.password")}</h2>
        <label>
          {t("profile.current_password")}
          <input name="original_password" type="password" autocomplete="current-password" required />
        </label>
        <label>
          {t("profile.new_password")}
          <input name="password" type="password" autocomplete="new-password" minLength={8} required />
        </label>
        <label>
          {t("auth.confirm_password")}
          <input name="password2" type="password" autocomplete="new-password" minLength={8} required />
        </label>
        <button type="submit" class="btn btn-primary">{t("common.save")}</button>
      </form>
      <section class="card">
        <h2>{t("profile.access_token")}</h2>
        <p class="muted">{t("profile.access_token_hint")}</p>
        {accessToken && (
          <p>
            <code class="secret">{accessToken}</code> <CopyButton value={accessToken} />
          </p>
        )}
        <button type="button" class="btn" onClick={newAccessToken}>
          {t("profile.access_token_generate")}
        </button>
      </section>
      <form class="form card" onSubmit={saveNotify} key={user ? "loaded" : "empty"}>
        <h2>{t("profile.notifications")}</h2>
        <label>
          {t("profile.notify_type")}
          <select name="notify_type" defaultValue={setting.notify_type ?? "email"}>
            <option value="email">{t("auth.email")}</option>
            <option value="webhook">Webhook</option>
          </select>
        </label>
        <label>
          {t("profile.warning_threshold")}
          <input
            name="quota_warning_threshold"
            type="number"
            min="0"
            defaultValue={String(setting.quota_warning_threshold ?? "")}
          />
        </label>
        <label>
          {t("profile.webhook_url")}
          <input name="webhook_url" type="url" defaultValue={setting.webhook_url ?? ""} />
        </label>
        <label>
          {t("profile.notification_email")}
          <input name="notification_email" type="email" defaultValue={setting.notification_email ?? ""} />
        </label>
        <button type="submit" class="btn btn-primary">{t("common.save")}</button>
      </form>
    </div>
  );
}
