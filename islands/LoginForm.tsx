/**
 * Sign in with `POST /api/user/login {username, password}` (sets the session cookie), then open the console;
 * with 2FA on, the code step follows. Buttons for the providers `/api/status` says are on go to
 * `/api/oauth/<provider>/start`, and with passkeys on a passkey signs in without a username.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { useApiGet } from "../client/use_api.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { getPasskeyAssertion, passkeySupported } from "../client/webauthn.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { TextField } from "../components/FormField.tsx";
import { TwoFactorStep } from "../components/TwoFactorStep.tsx";

/** Only same-site paths: `?redirect=https://evil.example` must not become an open redirect. */
function safeRedirect(target: string | null): string {
  return target && target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/\\")
    ? target
    : "/console";
}

interface SignInStatus {
  github_oauth?: boolean;
  discord_oauth?: boolean;
  oidc_enabled?: boolean;
  linuxdo_oauth?: boolean;
  passkey_login?: boolean;
}

const PROVIDERS: [keyof SignInStatus, string, string][] = [
  ["github_oauth", "github", "GitHub"],
  ["discord_oauth", "discord", "Discord"],
  ["oidc_enabled", "oidc", "OIDC"],
  ["linuxdo_oauth", "linuxdo", "Linux DO"],
];

export default function LoginForm() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [flowToken, setFlowToken] = useState<string>();
  const action = useAction();
  const status = useApiGet<SignInStatus>("/api/status").result?.data ?? {};
  const done = () => location.assign(safeRedirect(new URL(location.href).searchParams.get("redirect")));
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    setBusy(true);
    const r = await action.run<{ require_2fa?: boolean; flow_token?: string }>("POST", "/api/user/login", {
      username: String(v.username).trim(),
      password: v.password,
    });
    setBusy(false);
    if (!r.ok) return;
    if (r.data?.require_2fa) {
      action.say(undefined);
      return setFlowToken(r.data.flow_token ?? "");
    }
    done();
  };
  const passkey = async () => {
    if (!passkeySupported()) return action.say({ ok: false, text: t("login.passkey_unsupported") });
    setBusy(true);
    try {
      const begin = await api<{ options: { publicKey: never } }>("POST", "/api/user/passkey/login/begin");
      if (!begin.ok || !begin.data) return action.say({ ok: false, text: begin.message });
      const assertion = await getPasskeyAssertion(begin.data.options);
      const r = await action.run("POST", "/api/user/passkey/login/finish", assertion);
      if (r.ok) done();
    } catch (err) {
      action.say({ ok: false, text: String((err as Error)?.message ?? err) });
    } finally {
      setBusy(false);
    }
  };
  if (flowToken !== undefined) return <TwoFactorStep flowToken={flowToken} onDone={done} />;
  const providers = PROVIDERS.filter(([flag]) => status[flag] === true);
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
      {(providers.length > 0 || status.passkey_login) && (
        <div class="sign-in-others">
          <p class="muted">{t("login.or")}</p>
          {providers.map(([, slug, name]) => (
            <a key={slug} class="btn" href={`/api/oauth/${slug}/start`}>
              {t("login.with_provider", { provider: name })}
            </a>
          ))}
          {status.passkey_login && (
            <button type="button" class="btn" onClick={passkey} disabled={busy}>{t("login.passkey")}</button>
          )}
        </div>
      )}
      <p class="muted">
        {t("login.no_account")} <a href="/register">{t("nav.register")}</a>
      </p>
    </form>
  );
}
