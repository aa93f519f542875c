/**
 * Personal settings: account summary (`GET /api/user/self`), password change (`PUT /api/user/self
 * {original_password, password}`), access token for scripts (`GET /api/user/token`, shown once) and
 * notification settings (`PUT /api/user/setting`: email, webhook, Bark or Gotify, with a threshold).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { formValues, newPasswordProblem } from "../client/form.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import {
  FormButtons,
  NewPasswordFields,
  SecretField,
  SelectField,
  TextField,
} from "../components/FormField.tsx";
import type { MessageKey } from "../i18n/messages.ts";
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

/** Where each push type delivers: its URL field and, for some, a write-only secret. */
const DESTINATION: Record<
  string,
  { url: ["webhook_url" | "bark_url" | "gotify_url", MessageKey]; secret?: [string, MessageKey] }
> = {
  webhook: {
    url: ["webhook_url", "profile.webhook_url"],
    secret: ["webhook_secret", "profile.webhook_secret"],
  },
  bark: { url: ["bark_url", "profile.bark_url"] },
  gotify: { url: ["gotify_url", "profile.gotify_url"], secret: ["gotify_token", "profile.gotify_token"] },
};

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
    const problem = newPasswordProblem(v.password, v.password2);
    if (problem) return action.say({ ok: false, text: t(problem) });
    const r = await action.run("PUT", "/api/user/self", {
      original_password: v.original_password,
      password: v.password,
    });
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
        <NewPasswordFields label={t("profile.new_password")} confirm="password2" />
        <FormButtons />
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
        {DESTINATION[type] && (
          <TextField
            label={t(DESTINATION[type].url[1])}
            name={DESTINATION[type].url[0]}
            type="url"
            required
            value={setting[DESTINATION[type].url[0]]}
          />
        )}
        {DESTINATION[type]?.secret && (
          <SecretField label={t(DESTINATION[type].secret![1])} name={DESTINATION[type].secret![0]} />
        )}
        {type === "gotify" && (
          <TextField
            label={t("profile.gotify_priority")}
            name="gotify_priority"
            type="number"
            min="0"
            max="10"
            value={setting.gotify_priority ?? 5}
          />
        )}
        <FormButtons />
      </form>
    </div>
  );
}
