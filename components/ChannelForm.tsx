/**
 * Create or edit a channel. Create posts `{mode, multi_key_mode, channel}` to `POST /api/channel/`: one
 * channel, one per key line (batch), or one multi-key channel (New API's multi_to_single, keys used at
 * random or in turn). Edit sends the fields with the channel's id to `PUT /api/channel/`, leaving `key`
 * out when the field is empty (the stored key stays); a multi-key channel's new keys are added or replace
 * the old ones. Type-specific fields follow the chosen type; a saved channel can fetch its model list.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import type { Action } from "../client/use_action.ts";
import { api } from "../client/api.ts";
import { formValues } from "../client/form.ts";
import { CHANNEL_TYPES } from "../client/channel_types.ts";
import { CheckField, FieldRow, FormButtons, SelectField, TextArea, TextField } from "./FormField.tsx";

export interface ChannelInfo {
  is_multi_key: boolean;
  multi_key_size: number;
  multi_key_mode: "random" | "polling";
  multi_key_status_list?: Record<string, number>;
}

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
  header_override?: string;
  priority?: number;
  weight?: number;
  tag?: string;
  test_model?: string;
  auto_ban?: number;
  channel_info?: ChannelInfo;
}

/** The JSON object fields, under "Advanced": field, label and an example. */
const JSON_FIELDS: [keyof ChannelFields & string, MessageKey, string][] = [
  ["model_mapping", "channel.model_mapping", '{"gpt-4": "gpt-4o"}'],
  ["status_code_mapping", "channel.status_code_mapping", '{"400": "500"}'],
  ["param_override", "channel.param_override", '{"temperature": 0}'],
  ["header_override", "channel.header_override", '{"X-Team": "research"}'],
];

const names = (text: unknown) => String(text ?? "").split(",").map((s) => s.trim()).filter(Boolean).join(",");

export function ChannelForm(
  { channel, action, onDone }: { channel?: ChannelFields; action: Action; onDone(): void },
) {
  const { t } = useI18n();
  const [type, setType] = useState(channel?.type ?? 1);
  const [usage, setUsage] = useState("single");
  const spec = CHANNEL_TYPES.find((c) => c.id === type);
  const multi = channel?.channel_info?.is_multi_key === true;
  const modeOptions: [string, string][] = [
    ["random", t("channel.mode_random")],
    ["polling", t("channel.mode_polling")],
  ];
  const fetchModels = async (button: HTMLButtonElement) => {
    const r = await api<string[]>("GET", `/api/channel/fetch_models/${channel!.id}`);
    if (!r.ok || !r.data) return action.say({ ok: false, text: r.message });
    const field = button.form?.elements.namedItem("models") as HTMLTextAreaElement | null;
    if (field) field.value = r.data.join(",");
    action.say({ ok: true, text: t("channel.models_fetched", { count: r.data.length }) });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const body: Record<string, unknown> = {
      type,
      name: String(v.name).trim(),
      base_url: String(v.base_url ?? "").trim(),
      models: names(v.models),
      group: names(v.group) || "default",
      priority: Number(v.priority) || 0,
      weight: Number(v.weight) || 0,
      tag: String(v.tag ?? "").trim(),
      test_model: String(v.test_model ?? "").trim(),
      auto_ban: v.auto_ban === true ? 1 : 0,
    };
    if (spec?.other) body.other = String(v.other ?? "").trim();
    for (const [field] of JSON_FIELDS) {
      const text = String(v[field] ?? "").trim();
      if (text) {
        try {
          JSON.parse(text);
        } catch {
          return action.say({ ok: false, text: t("channel.json_invalid", { field }) });
        }
      }
      body[field] = text;
    }
    const key = String(v.key ?? "").trim();
    if (key) body.key = key;
    if (!channel?.id && !key) return action.say({ ok: false, text: t("channel.key_required") });
    const r = channel?.id
      ? await action.run("PUT", "/api/channel/", {
        ...body,
        id: channel.id,
        ...(multi ? { key_mode: v.key_mode, multi_key_mode: v.multi_key_mode } : {}),
      })
      : await action.run("POST", "/api/channel/", {
        mode: usage,
        ...(usage === "multi_to_single" ? { multi_key_mode: v.multi_key_mode } : {}),
        channel: body,
      });
    if (r.ok) onDone();
  };
  return (
    <form class="form card" onSubmit={submit}>
      <h2>{channel?.id ? t("channel.edit", { name: channel.name }) : t("channel.create")}</h2>
      <FieldRow>
        <SelectField
          label={t("channel.type")}
          name="type"
          value={String(type)}
          options={CHANNEL_TYPES.map((c): [string, string] => [
            String(c.id),
            c.unsupported ? `${c.name} (${t("channel.not_relayed")})` : c.name,
          ])}
          onChange={(value) => setType(Number(value))}
        />
        <TextField label={t("common.name")} name="name" value={channel?.name} required maxLength={100} />
      </FieldRow>
      <TextArea
        label={t("channel.key")}
        name="key"
        rows={3}
        autocomplete="off"
        placeholder={channel?.id
          ? t(multi ? "channel.key_add" : "channel.key_keep")
          : t("channel.key_placeholder")}
        hint={spec?.keyHint && t(spec.keyHint)}
      />
      {!channel?.id && (
        <FieldRow>
          <SelectField
            label={t("channel.key_usage")}
            name="key_usage"
            value={usage}
            options={[
              ["single", t("channel.key_usage_single")],
              ["batch", t("channel.batch")],
              ["multi_to_single", t("channel.key_usage_multi")],
            ]}
            onChange={setUsage}
          />
          {usage === "multi_to_single" && (
            <SelectField label={t("channel.multi_key_mode")} name="multi_key_mode" options={modeOptions} />
          )}
        </FieldRow>
      )}
      {multi && (
        <FieldRow>
          <SelectField
            label={t("channel.key_edit_mode")}
            name="key_mode"
            value="append"
            options={[["append", t("channel.key_append")], ["replace", t("channel.key_replace")]]}
          />
          <SelectField
            label={t("channel.multi_key_mode")}
            name="multi_key_mode"
            value={channel?.channel_info?.multi_key_mode}
            options={modeOptions}
          />
        </FieldRow>
      )}
      <TextField
        label={t(spec?.fullUrl ? "channel.base_url_full" : "channel.base_url")}
        name="base_url"
        type="url"
        value={channel?.base_url}
        required={spec?.baseUrlRequired}
        hint={spec?.fullUrl ? t("channel.base_url_full_hint") : undefined}
      />
      {spec?.other && (
        <TextField
          label={t(spec.other.label)}
          name="other"
          value={channel?.other}
          placeholder={spec.other.placeholder}
          hint={spec.other.hint && t(spec.other.hint)}
        />
      )}
      <TextArea
        label={t("channel.models")}
        name="models"
        value={channel?.models}
        placeholder="gpt-4o-mini,gpt-4o"
      />
      {channel?.id && (
        <div class="row">
          <button type="button" class="btn btn-small" onClick={(e) => fetchModels(e.currentTarget)}>
            {t("channel.fetch_models")}
          </button>
        </div>
      )}
      <FieldRow>
        <TextField label={t("common.group")} name="group" value={channel?.group ?? "default"} />
        <TextField
          label={t("channel.priority")}
          name="priority"
          type="number"
          value={channel?.priority ?? 0}
        />
        <TextField
          label={t("channel.weight")}
          name="weight"
          type="number"
          min="0"
          value={channel?.weight ?? 0}
        />
      </FieldRow>
      <FieldRow>
        <TextField label={t("channel.tag")} name="tag" value={channel?.tag} />
        <TextField label={t("channel.test_model")} name="test_model" value={channel?.test_model} />
      </FieldRow>
      <CheckField label={t("channel.auto_ban")} name="auto_ban" checked={(channel?.auto_ban ?? 1) === 1} />
      <details>
        <summary>{t("channel.advanced")}</summary>
        {JSON_FIELDS.map(([field, label, example]) => (
          <TextArea
            key={field}
            label={t(label)}
            name={field}
            rows={3}
            class="mono"
            value={channel?.[field] as string | undefined}
            placeholder={example}
          />
        ))}
      </details>
      <FormButtons onCancel={onDone} />
    </form>
  );
}
