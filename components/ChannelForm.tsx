/**
 * Create or edit a channel. Create posts `{mode: "single", channel}` to `POST /api/channel/`; edit sends the
 * flat channel with its id to `PUT /api/channel/`, leaving `key` out when the field is left empty.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { CHANNEL_TYPES } from "../client/channel_types.ts";
import { ActionMessage } from "./ApiNotice.tsx";

export interface ChannelFields {
  id?: number;
  type: number;
  name: string;
  base_url?: string;
  other?: string;
  models?: string;
  group?: string;
  model_mapping?: string;
  status_code_mapping?: string;
  param_override?: string;
  priority?: number;
  weight?: number;
  tag?: string;
  test_model?: string;
  auto_ban?: number;
}

const JSON_FIELDS = ["model_mapping", "status_code_mapping", "param_override"] as const;

export function ChannelForm(
  { channel, onDone }: { channel?: ChannelFields; onDone?: () => void },
) {
  const { t } = useI18n();
  const [type, setType] = useState(channel?.type ?? 1);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const spec = CHANNEL_TYPES.find((c) => c.id === type);
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    for (const field of JSON_FIELDS) {
      const text = String(v[field] ?? "").trim();
      if (!text) continue;
      try {
        JSON.parse(text);
      } catch {
        return setMessage({ ok: false, text: t("channel.json_invalid", { field }) });
      }
    }
    const body: Record<string, unknown> = {
      type,
      name: String(v.name).trim(),
      base_url: String(v.base_url ?? "").trim(),
      other: String(v.other ?? "").trim(),
      models: String(v.models).split(",").map((s) => s.trim()).filter(Boolean).join(","),
      group: String(v.group).split(",").map((s) => s.trim()).filter(Boolean).join(",") || "default",
      model_mapping: String(v.model_mapping ?? "").trim(),
      status_code_mapping: String(v.status_code_mapping ?? "").trim(),
      param_override: String(v.param_override ?? "").trim(),
      priority: Number(v.priority) || 0,
      weight: Number(v.weight) || 0,
      tag: String(v.tag ?? "").trim(),
      test_model: String(v.test_model ?? "").trim(),
      auto_ban: v.auto_ban === true ? 1 : 0,
    };
    const key = String(v.key ?? "").trim();
    if (key) body.key = key;
    if (!channel?.id && !key) return setMessage({ ok: false, text: t("channel.key_required") });
    const r = channel?.id
      ? await api("PUT", "/api/channel/", { ...body, id: channel.id })
      : await api("POST", "/api/channel/", { mode: "single", channel: body });
    if (!r.ok) return setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    setMessage({ ok: true, text: t("common.saved") });
    onDone?.();
  };
  return (
    <form class="form card" onSubmit={submit}>
      <h2>{channel?.id ? t("channel.edit", { name: channel.name }) : t("channel.create")}</h2>
      <div class="row">
        <label>
          {t("channel.type")}
          <select name="type" value={String(type)} onChange={(e) => setType(Number(e.currentTarget.value))}>
            {CHANNEL_TYPES.map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
          </select>
        </label>
        <label>
          {t("common.name")}
          <input name="name" defaultValue={channel?.name ?? ""} required maxLength={100} />
        </label>
      </div>
      <label>
        {t("channel.key")}
        <textarea
          name="key"
          rows={3}
          autocomplete="off"
          placeholder={channel?.id ? t("channel.key_keep") : t("channel.key_placeholder")}
        />
        {spec?.keyHint && <small class="muted">{t(spec.keyHint)}</small>}
      </label>
      <label>
        {t("channel.base_url")}
        <input
          name="base_url"
          defaultValue={channel?.base_url ?? ""}
          required={spec?.baseUrlRequired}
          type="url"
        />
      </label>
      {spec?.other && (
        <label>
          {t(spec.other)}
          <input name="other" defaultValue={channel?.other ?? ""} />
        </label>
      )}
      <label>
        {t("channel.models")}
        <textarea
          name="models"
          rows={2}
          defaultValue={channel?.models ?? ""}
          placeholder="gpt-4o-mini,gpt-4o"
        />
      </label>
      <div class="row">
        <label>
          {t("common.group")}
          <input name="group" defaultValue={channel?.group ?? "default"} />
        </label>
        <label>
          {t("channel.priority")}
          <input name="priority" type="number" defaultValue={String(channel?.priority ?? 0)} />
        </label>
        <label>
          {t("channel.weight")}
          <input name="weight" type="number" min="0" defaultValue={String(channel?.weight ?? 0)} />
        </label>
      </div>
      <div class="row">
        <label>
          {t("channel.tag")}
          <input name="tag" defaultValue={channel?.tag ?? ""} />
        </label>
        <label>
          {t("channel.test_model")}
          <input name="test_model" defaultValue={channel?.test_model ?? ""} />
        </label>
      </div>
      <label class="check">
        <input name="auto_ban" type="checkbox" defaultChecked={(channel?.auto_ban ?? 1) === 1} />{" "}
        {t("channel.auto_ban")}
      </label>
      <details>
        <summary>{t("channel.advanced")}</summary>
        <label>
          {t("channel.model_mapping")}
          <textarea
            name="model_mapping"
            rows={3}
            defaultValue={channel?.model_mapping ?? ""}
            placeholder='{"gpt-4": "gpt-4o"}'
          />
        </label>
        <label>
          {t("channel.status_code_mapping")}
          <textarea
            name="status_code_mapping"
            rows={2}
            defaultValue={channel?.status_code_mapping ?? ""}
            placeholder='{"400": "500"}'
          />
        </label>
        <label>
          {t("channel.param_override")}
          <textarea
            name="param_override"
            rows={3}
            defaultValue={channel?.param_override ?? ""}
            placeholder='{"temperature": 0}'
          />
        </label>
      </details>
      <ActionMessage message={message} />
      <div class="row">
        <button type="submit" class="btn btn-primary">{t("common.save")}</button>
        {onDone && <button type="button" class="btn btn-ghost" onClick={onDone}>{t("common.cancel")}</button>}
      </div>
    </form>
  );
}
