/**
 * System settings (root): New API options grouped by section, loaded with `GET /api/option/` and saved one
 * changed key at a time with `PUT /api/option/ {key, value}`. Secret options are write-only. A value the
 * browser or the API refuses is named under its own field (JSON editors show the parse or rule error).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import {
  notActedOnSection,
  OPTION_SECTIONS,
  type OptionEntry,
  type OptionField,
  type OptionSection,
  optionValueProblem,
} from "../client/option_fields.ts";
import { formatQuota } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { CheckField, FormButtons, SecretField, TextArea, TextField } from "../components/FormField.tsx";

/** A JSON value in one canonical form (compact), or the text itself when it does not parse. */
function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** JSON shown indented in its editor, one entry a line. */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A section's anchor, for the in-page index. */
const anchor = (section: OptionSection) => `section-${section.title.replace(/[^a-z0-9]+/gi, "-")}`;

export default function SettingsForm({ quotaPerUnit = 500000 }: { quotaPerUnit?: number }) {
  const { t } = useI18n();
  /** Amount fields as typed, so their currency follows the keyboard. */
  const [typed, setTyped] = useState<Record<string, string>>({});
  const options = useApiGet<OptionEntry[]>("/api/option/");
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const entries = Array.isArray(options.result?.data) ? options.result.data : [];
  const current = new Map(entries.map((o) => [o.key, o.value]));
  const notActedOn = new Set(entries.filter((o) => o.implemented === false).map((o) => o.key));
  const idle = notActedOnSection(entries);
  const sections = idle.fields.length ? [...OPTION_SECTIONS, idle] : OPTION_SECTIONS;

  const save = async (section: OptionSection, form: HTMLFormElement) => {
    const v = formValues(form);
    const changes: { key: string; value: string }[] = [];
    const found: Record<string, string> = {};
    for (const field of section.fields) {
      const typed = field.kind === "bool" ? String(v[field.key] === true) : String(v[field.key] ?? "");
      const value = field.kind === "json" ? compactJson(typed) : typed;
      const stored = current.get(field.key) ?? (field.kind === "bool" ? "false" : "");
      if (field.kind === "secret" && value === "") continue;
      const problem = optionValueProblem(field.kind, value);
      if (problem) found[field.key] = t(problem);
      else if (value !== (field.kind === "json" ? compactJson(stored) : stored)) {
        changes.push({ key: field.key, value });
      }
    }
    let saved = 0;
    if (Object.keys(found).length === 0) {
      for (const change of changes) {
        const r = await api("PUT", "/api/option/", change);
        if (!r.ok) {
          found[change.key] = r.message;
          break;
        }
        saved++;
      }
    }
    setErrors(found);
    const failed = Object.keys(found);
    setMessage(
      failed.length
        ? { ok: false, text: t("setting.not_saved", { fields: failed.join(", "), count: saved }) }
        : { ok: true, text: t("setting.saved", { count: saved }) },
    );
    if (saved > 0) options.reload();
  };

  const input = (field: OptionField) => {
    const value = current.get(field.key) ?? "";
    const label = field.label ? t(field.label) : field.key;
    const amount = field.amount && Number(typed[field.key] ?? value);
    const money = field.amount && Number.isFinite(amount)
      ? t("setting.amount_hint", { amount: formatQuota(Number(amount), quotaPerUnit) })
      : "";
    const hint = [money, field.hint ? t(field.hint) : "", field.label ? field.key : ""].filter(Boolean)
      .join(" · ") || undefined;
    const error = errors[field.key];
    const badge = notActedOn.has(field.key) ? t("setting.not_acted_on") : undefined;
    switch (field.kind) {
      case "bool":
        return (
          <CheckField
            key={field.key}
            label={label}
            name={field.key}
            checked={value === "true"}
            badge={badge}
          />
        );
      case "secret":
        return (
          <SecretField
            key={field.key}
            label={label}
            name={field.key}
            badge={badge}
            hint={hint}
            error={error}
          />
        );
      case "json":
      case "textarea":
        return (
          <TextArea
            key={field.key}
            label={label}
            name={field.key}
            rows={field.kind === "json" ? 8 : 3}
            class={field.kind === "json" ? "mono" : undefined}
            value={field.kind === "json" ? prettyJson(value) : value}
            hint={hint}
            error={error}
            badge={badge}
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
            hint={hint}
            error={error}
            badge={badge}
          />
        );
    }
  };

  if (!options.result?.ok) return <ApiNotice result={options.result} loading={options.loading} />;
  return (
    <div class="stack">
      <nav class="settings-index" aria-label={t("setting.index")}>
        {sections.map((section) => <a key={section.title} href={`#${anchor(section)}`}>{t(section.title)}
        </a>)}
      </nav>
      <ActionMessage message={message} />
      {sections.map((section) => (
        <form
          class="form card"
          key={section.title}
          id={anchor(section)}
          onInput={(e) => {
            const el = e.target as HTMLInputElement;
            if (section.fields.some((f) => f.amount && f.key === el.name)) {
              setTyped((m) => ({ ...m, [el.name]: el.value }));
            }
          }}
          onSubmit={(e) => {
            e.preventDefault();
            save(section, e.currentTarget as HTMLFormElement);
          }}
        >
          <h2>{t(section.title)}</h2>
          {section === idle && <p class="muted">{t("setting.not_acted_on_hint")}</p>}
          {section.fields.map(input)}
          <FormButtons />
        </form>
      ))}
    </div>
  );
}
