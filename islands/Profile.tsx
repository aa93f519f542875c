/**
 * Personal settings: account summary (`GET /api/user/self`), password change (`PUT /api/user/self
 * {original_password, password}`), access token for scripts (`GET /api/user/token`, shown once) and
 * notification settings (`PUT /api/user/setting`: email, webhook, Bark or Gotify, with a threshold).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { SelectField, TextField } from "../components/FormField.tsx";
import { SecretOnce } from "../components/SecretOnce.tsx";

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
  bark_url?: string;
  gotify_url?: string;
  gotify_priority?: number;
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
  const action = useAction();
  const [accessToken, setAccessToken] = useState<string>();
  const user = self.result?.ok ? self.result.data : undefined;
  const setting = parseSetting(user?.setting);
  const [notifyType, setNotifyType] = useState<string>();
  const type = notifyType ?? setting.notify_type ?? "email";

  const changePassword = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = formValues(form);
    const password = String(v.password);
    if (password.length < 8) return action.say({ ok: false, text: t("auth.password_rule") });
    if (password !== v.password2) return action.say({ ok: false, text: t("auth.password_mismatch") });
    const r = await action.run("PUT", "/api/user/self", { original_password: v.original_password, password });
    if (r.ok) form.reset();
  };
  const newAccessToken = async () => {
    const r = await action.run<string>("GET", "/api/user/token");
    if (r.ok && typeof r.data === "string") setAccessToken(r.data);
  };
  const saveNotify = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(v[name] ?? "").trim();
    action.run("PUT", "/api/user/setting", {
      notify_type: type,
      quota_warning_threshold: Number(v.quota_warning_threshold) || 0,
      webhook_url: text("webhook_url"),
      webhook_secret: text("webhook_secret"),
      notification_email: text("notification_email"),
      bark_url: text("bark_url"),
      gotify_url: text("gotify_url"),
      gotify_token: text("gotify_token"),
      gotify_priority: Number(v.gotify_priority ?? 5),
    });
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
      <ActionMessage message={action.message} />
      <form class="form card" onSubmit={changePassword}>
        <h2>{t("profile.password")}</h2>
        <TextField
          label={t("profile.current_password")}
          name="original_password"
          type="password"
          autocomplete="current-password"
          required
        />
        <TextField
          label={t("profile.new_password")}
          name="password"
          type="password"
          autocomplete="new-password"
          minLength={8}
          required
        />
        <TextField
          label={t("auth.confirm_password")}
          name="password2"
          type="password"
          autocomplete="new-password"
          minLength={8}
          required
        />
        <button type="submit" class="btn btn-primary">{t("common.save")}</button>
      </form>
      <section class="card">
        <h2>{t("profile.access_token")}</h2>
        <p class="muted">{t("profile.access_token_hint")}</p>
        {accessToken && (
          <SecretOnce
            note={t("token.key_once")}
            value={accessToken}
            onClose={() => setAccessToken(undefined)}
          />
        )}
        <ConfirmButton
          label={t("profile.access_token_generate")}
          question={t("profile.access_token_confirm")}
          danger={false}
          onConfirm={newAccessToken}
        />
      </section>
      <form class="form card" onSubmit={saveNotify} key={user ? "loaded" : "empty"}>
        <h2>{t("profile.notifications")}</h2>
        <SelectField
          label={t("profile.notify_type")}
          name="notify_type"
          value={type}
          onChange={setNotifyType}
          options={[["email", t("auth.email")], ["webhook", "Webhook"], ["bark", "Bark"], [
            "gotify",
            "Gotify",
          ]]}
        />
        <TextField
          label={t("profile.warning_threshold")}
          name="quota_warning_threshold"
          type="number"
          min="1"
          required
          value={setting.quota_warning_threshold ?? ""}
        />
        {type === "email" && (
          <TextField
            label={t("profile.notification_email")}
            name="notification_email"
            type="email"
            value={setting.notification_email}
            hint={t("profile.notification_email_hint")}
          />
        )}
        {type === "webhook" && (
          <>
            <TextField
              label={t("profile.webhook_url")}
              name="webhook_url"
              type="url"
              required
              value={setting.webhook_url}
            />
            <TextField
              label={t("profile.webhook_secret")}
              name="webhook_secret"
              type="password"
              autocomplete="new-password"
              placeholder={t("setting.secret_unchanged")}
            />
          </>
        )}
        {type === "bark" && (
          <TextField
            label={t("profile.bark_url")}
            name="bark_url"
            type="url"
            required
            value={setting.bark_url}
          />
        )}
        {type === "gotify" && (
          <>
            <TextField
              label={t("profile.gotify_url")}
              name="gotify_url"
              type="url"
              required
              value={setting.gotify_url}
            />
            <TextField
              label={t("profile.gotify_token")}
              name="gotify_token"
              type="password"
              autocomplete="new-password"
              placeholder={t("setting.secret_unchanged")}
            />
            <TextField
              label={t("profile.gotify_priority")}
              name="gotify_priority"
              type="number"
              min="0"
              max="10"
              value={setting.gotify_priority ?? 5}
            />
          </>
        )}
        <button type="submit" class="btn btn-primary">{t("common.save")}</button>
      </form>
    </div>
  );
}
