/**
 * The profile's sign-in security: TOTP 2FA (setup with its secret, otpauth link and backup codes shown
 * once, enable with a code, disable, new backup codes), the passkey (register with this browser, remove)
 * and the OAuth providers to bind (`/api/oauth/<provider>/start` while signed in binds).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { useAction } from "../client/use_action.ts";
import { useApiGet } from "../client/use_api.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { createPasskey, passkeySupported } from "../client/webauthn.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { TextField } from "../components/FormField.tsx";

interface Setup {
  secret: string;
  qr_code_data: string;
  backup_codes: string[];
}

const PROVIDERS: [string, string, string, string][] = [
  ["github_oauth", "github", "GitHub", "github_id"],
  ["discord_oauth", "discord", "Discord", "discord_id"],
  ["oidc_enabled", "oidc", "OIDC", "oidc_id"],
  ["linuxdo_oauth", "linuxdo", "Linux DO", "linux_do_id"],
];

export default function AccountSecurity() {
  const { t } = useI18n();
  const action = useAction();
  const twoFa = useApiGet<{ enabled: boolean; backup_codes_remaining?: number }>("/api/user/2fa/status");
  const passkey = useApiGet<{ enabled: boolean }>("/api/user/passkey");
  const status = useApiGet<Record<string, unknown>>("/api/status").result?.data ?? {};
  const self = useApiGet<Record<string, unknown>>("/api/user/self").result?.data ?? {};
  const [setup, setSetup] = useState<Setup>();
  const [codes, setCodes] = useState<string[]>();
  const enabled = twoFa.result?.data?.enabled === true;

  const startSetup = async () => {
    const r = await action.run<Setup>("POST", "/api/user/2fa/setup");
    if (r.ok) setSetup(r.data);
  };
  const withCode = (path: string, after: (data: unknown) => void) => async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const r = await action.run<unknown>("POST", path, { code: String(v.code).trim() });
    if (r.ok) after(r.data);
  };
  const registerPasskey = async () => {
    if (!passkeySupported()) return action.say({ ok: false, text: t("login.passkey_unsupported") });
    try {
      const begin = await api<{ options: { publicKey: never } }>("POST", "/api/user/passkey/register/begin");
      if (!begin.ok || !begin.data) return action.say({ ok: false, text: begin.message });
      const r = await action.run(
        "POST",
        "/api/user/passkey/register/finish",
        await createPasskey(begin.data.options),
      );
      if (r.ok) passkey.reload();
    } catch (err) {
      action.say({ ok: false, text: String((err as Error)?.message ?? err) });
    }
  };
  const removePasskey = async () => {
    if ((await action.run("DELETE", "/api/user/passkey")).ok) passkey.reload();
  };
  const providers = PROVIDERS.filter(([flag]) => status[flag] === true);

  return (
    <section class="card stack">
      <h2>{t("security.title")}</h2>
      <ActionMessage message={action.message} />
      <h3>{t("security.two_fa")}</h3>
      {!enabled && !setup && (
        <button type="button" class="btn" onClick={startSetup}>{t("security.setup")}</button>
      )}
      {!enabled && setup && (
        <form
          class="form"
          onSubmit={withCode("/api/user/2fa/enable", () => {
            setSetup(undefined);
            twoFa.reload();
          })}
        >
          <p class="muted">{t("security.setup_hint")}</p>
          <p>
            <a href={setup.qr_code_data}>{t("security.open_in_app")}</a> · <code>{setup.secret}</code>
          </p>
          <p class="muted">{t("security.backup_codes_once")}</p>
          <pre class="secret">{setup.backup_codes.join("\n")}</pre>
          <TextField label={t("login.code")} name="code" autocomplete="one-time-code" required />
          <button type="submit" class="btn btn-primary">{t("security.enable")}</button>
        </form>
      )}
      {enabled && (
        <>
          <p>{t("security.two_fa_on", { count: twoFa.result?.data?.backup_codes_remaining ?? 0 })}</p>
          {codes && <pre class="secret">{codes.join("\n")}</pre>}
          <form class="form" onSubmit={withCode("/api/user/2fa/disable", () => twoFa.reload())}>
            <TextField label={t("login.code")} name="code" autocomplete="one-time-code" required />
            <button type="submit" class="btn btn-danger">{t("security.disable")}</button>
          </form>
          <form
            class="form"
            onSubmit={withCode("/api/user/2fa/backup_codes", (data) => {
              setCodes((data as { backup_codes: string[] }).backup_codes);
              twoFa.reload();
            })}
          >
            <TextField label={t("login.code")} name="code" autocomplete="one-time-code" required />
            <button type="submit" class="btn">{t("security.new_codes")}</button>
          </form>
        </>
      )}
      {status.passkey_login === true && (
        <>
          <h3>{t("security.passkey")}</h3>
          {passkey.result?.data?.enabled
            ? (
              <button type="button" class="btn btn-danger" onClick={removePasskey}>
                {t("security.passkey_remove")}
              </button>
            )
            : (
              <button type="button" class="btn" onClick={registerPasskey}>
                {t("security.passkey_register")}
              </button>
            )}
        </>
      )}
      {providers.length > 0 && (
        <>
          <h3>{t("security.bindings")}</h3>
          {providers.map(([, slug, name, column]) =>
            self[column]
              ? <p key={slug}>{t("security.bound", { provider: name })}</p>
              : (
                <a key={slug} class="btn" href={`/api/oauth/${slug}/start`}>
                  {t("security.bind", { provider: name })}
                </a>
              )
          )}
        </>
      )}
    </section>
  );
}
