/**
 * System settings (root): New API options grouped by section, loaded with `GET /api/option/` and saved one
 * changed key at a time with `PUT /api/option/ {key, value}`. Secret options are write-only.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { OPTION_SECTIONS, type OptionSection, optionValueProblem } from "../client/option_fields.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { CheckField, FormButtons, SecretField, TextArea, TextField } from "../components/FormField.tsx";

export default function SettingsForm() {
  const { t } = useI18n();
  const options = useApiGet<{ key: string; value: string }[]>("/api/option/");
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const current = new Map(
    (Array.isArray(options.result?.data) ? options.result.data : []).map((o) => [o.key, o.value]),
  );

  const save = async (section: OptionSection, form: HTMLFormElement) => {
    const v = formValues(form);
    const changes: { key: string; value: string }[] = [];
    for (const field of section.fields) {
      const value = field.kind === "bool" ? String(v[field.key] === true) : String(v[field.key] ?? "");
      if (field.kind === "secret" && value === "") continue;
      const problem = optionValueProblem(field.kind, value);
      if (problem) return setMessage({ ok: false, text: `${t(field.label)}: ${t(problem)}` });
      if (value !== (current.get(field.key) ?? (field.kind === "bool" ? "false" : ""))) {
        changes.push({ key: field.key, value });
      }
    }
    for (const change of changes) {
      const r = await api("PUT", "/api/option/", change);
      if (!r.ok) return setMessage({ ok: false, text: `${change.key}: ${r.message}` });
    }
    setMessage({ ok: true, text: t("setting.saved", { count: changes.length }) });
    options.reload();
  };

  if (!options.result?.ok) return <ApiNotice result={options.result} loading={options.loading} />;
  return (
    <div class="stack">
      <ActionMessage message={message} />
      {OPTION_SECTIONS.map((section) => (
        <form
          class="form card"
          key={section.title}
          onSubmit={(e) => {
            e.preventDefault();
            save(section, e.currentTarget as HTMLFormElement);
          }}
        >
          <h2>{t(section.title)}</h2>
          {section.fields.map((field) => {
            const value = current.get(field.key) ?? "";
            const label = t(field.label);
            switch (field.kind) {
              case "bool":
                return (
                  <CheckField key={field.key} label={label} name={field.key} checked={value === "true"} />
                );
              case "secret":
                return <SecretField key={field.key} label={label} name={field.key} />;
              case "json":
                return (
                  <TextArea
                    key={field.key}
                    label={label}
                    name={field.key}
                    rows={5}
                    class="mono"
                    value={value}
                    hint={field.key}
                  />
                );
              default:
                return (
                  <TextField
                    key={field.key}
                    label={label}
                    name={field.key}
                    inputMode={field.kind === "number" ? "numeric" : undefined}
                    autocomplete="off"
                    value={value}
                    hint={field.key}
                  />
                );
            }
          })}
          <FormButtons />
        </form>
      ))}
    </div>
  );
}
