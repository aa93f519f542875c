/**
 * Create or edit an API key with every New API option: name, quota or unlimited, expiry, group, model
 * allow-list, IP allow-list, per-key RPM/TPM/concurrency limits and cross-group retry. Create posts to
 * `POST /api/token/` (the answer carries the new key, once); edit sends `PUT /api/token/` with the id.
 */
import { useI18n } from "../i18n/context.ts";
import type { Action } from "../client/use_action.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { amountFromQuota, localInputValue, quotaFromAmount, unixFromLocalInput } from "../client/format.ts";
import { CheckField, FieldRow, FormButtons, SelectField, TextArea, TextField } from "./FormField.tsx";
import type { MessageKey } from "../i18n/messages.ts";

export interface Token {
  id: number;
  name: string;
  key: string;
  status: number;
  remain_quota: number;
  used_quota: number;
  unlimited_quota: boolean;
  created_time: number;
  expired_time: number;
  group: string;
  model_limits_enabled: boolean;
  model_limits: string;
  allow_ips: string;
  cross_group_retry: boolean;
  rpm_limit: number;
  tpm_limit: number;
  concurrency_limit: number;
}

/** The per-key limits (0 = none). */
const LIMITS: ["rpm_limit" | "tpm_limit" | "concurrency_limit", MessageKey][] = [
  ["rpm_limit", "token.rpm_limit"],
  ["tpm_limit", "token.tpm_limit"],
  ["concurrency_limit", "token.concurrency_limit"],
];

const list = (text: unknown) => String(text ?? "").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export function TokenForm(
  { token, quotaPerUnit, action, onSaved, onCancel }: {
    token?: Token;
    quotaPerUnit: number;
    action: Action;
    /** Called after a successful save, with the new key when one was created (an edit answers only the hint). */
    onSaved(newKey?: string): void;
    onCancel(): void;
  },
) {
  const { t } = useI18n();
  const groups = useApiGet<Record<string, { desc: string }>>("/api/user/self/groups");
  const usable = groups.result?.ok && groups.result.data ? Object.entries(groups.result.data) : [];
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const unlimited = v.unlimited_quota === true;
    const remain = quotaFromAmount(String(v.amount), quotaPerUnit);
    if (!unlimited && Number.isNaN(remain)) return action.say({ ok: false, text: t("token.amount_invalid") });
    const limit = (name: string) => Math.max(0, Math.floor(Number(v[name]) || 0));
    const body = {
      name: String(v.name).trim(),
      remain_quota: Number.isNaN(remain) ? 0 : remain,
      unlimited_quota: unlimited,
      // The field has minutes only: an untouched expiry is sent back exactly as stored.
      expired_time: token && v.expires === localInputValue(token.expired_time)
        ? token.expired_time
        : unixFromLocalInput(v.expires, -1),
      group: String(v.group ?? ""),
      model_limits_enabled: v.model_limits_enabled === true,
      model_limits: list(v.model_limits),
      allow_ips: list(v.allow_ips),
      ...Object.fromEntries(LIMITS.map(([name]) => [name, limit(name)])),
      cross_group_retry: v.cross_group_retry === true,
    };
    const r = token
      ? await action.run<{ key?: string }>("PUT", "/api/token/", { ...body, id: token.id })
      : await action.run<{ key?: string }>("POST", "/api/token/", body, "token.created");
    if (r.ok) onSaved(token ? undefined : r.data?.key);
  };
  return (
    <form class="form card" onSubmit={submit} key={token?.id ?? "new"}>
      <h2>{token ? t("token.edit", { name: token.name }) : t("token.create")}</h2>
      <TextField label={t("common.name")} name="name" maxLength={50} required value={token?.name} />
      <FieldRow>
        <TextField
          label={t("token.amount")}
          name="amount"
          inputMode="decimal"
          value={token ? amountFromQuota(token.remain_quota, quotaPerUnit) : "0"}
        />
        <CheckField label={t("token.unlimited")} name="unlimited_quota" checked={token?.unlimited_quota} />
      </FieldRow>
      <TextField
        label={t("token.expires")}
        name="expires"
        type="datetime-local"
        value={localInputValue(token?.expired_time ?? -1)}
        hint={t("token.expires_hint")}
      />
      <SelectField
        label={t("common.group")}
        name="group"
        value={token?.group ?? ""}
        options={[
          ["", t("token.group_own")],
          ...usable.map(([g, info]): [string, string] => [g, `${g} · ${info.desc}`]),
        ]}
      />
      <CheckField
        label={t("token.model_limits_enabled")}
        name="model_limits_enabled"
        checked={token?.model_limits_enabled}
      />
      <TextField
        label={t("token.model_limits")}
        name="model_limits"
        value={token?.model_limits}
        placeholder="gpt-4o-mini, claude-sonnet-4"
      />
      <TextArea
        label={t("token.allow_ips")}
        name="allow_ips"
        value={token?.allow_ips}
        placeholder="203.0.113.7"
      />
      <FieldRow>
        {LIMITS.map(([name, label]) => (
          <TextField
            key={name}
            label={t(label)}
            name={name}
            type="number"
            min="0"
            value={token?.[name] ?? 0}
          />
        ))}
      </FieldRow>
      <small class="muted">{t("token.limits_hint")}</small>
      <CheckField
        label={t("token.cross_group_retry")}
        name="cross_group_retry"
        checked={token?.cross_group_retry}
      />
      <FormButtons submit={token ? undefined : t("common.create")} onCancel={onCancel} />
    </form>
  );
}
