/**
 * Labelled form fields for islands' forms: text inputs, secrets, text areas, checkboxes and selects, each
 * with an optional hint, and the form's buttons. Values are read back with `formValues(form)`, so fields are uncontrolled (`value` is
 * the initial value).
 */
import type { ComponentChildren, InputHTMLAttributes } from "preact";
import { useI18n } from "../i18n/context.ts";

function Hint({ text }: { text?: string }) {
  return text ? <small class="muted">{text}</small> : null;
}

/** A short mark after a field's label (e.g. an option stored but not acted on yet). */
function Badge({ text }: { text?: string }) {
  return text ? <span class="badge field-badge">{text}</span> : null;
}

/** What is wrong with the field's value (a check in the browser or the API's answer), under the field. */
function FieldError({ text }: { text?: string }) {
  return text ? <small class="field-error" role="alert">{text}</small> : null;
}

interface InputProps {
  label: string;
  name: string;
  value?: string | number;
  hint?: string;
  error?: string;
  badge?: string;
  type?: "text" | "password" | "email" | "url" | "number" | "datetime-local" | "search";
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: string;
  max?: string;
  inputMode?: "decimal" | "numeric";
  placeholder?: string;
  autocomplete?: string;
}

// Preact types `<input>` per `type`; the field takes any of the listed types, hence the one cast.
export function TextField({ label, hint, error, badge, value, type = "text", ...input }: InputProps) {
  return (
    <label>
      {label} <Badge text={badge} />
      <input
        {...{ type, ...input } as InputHTMLAttributes<HTMLInputElement>}
        defaultValue={value === undefined ? undefined : String(value)}
        aria-invalid={error ? true : undefined}
      />
      <FieldError text={error} />
      <Hint text={hint} />
    </label>
  );
}

interface AreaProps {
  label: string;
  name: string;
  value?: string;
  hint?: string;
  error?: string;
  badge?: string;
  rows?: number;
  placeholder?: string;
  autocomplete?: string;
  class?: string;
}

export function TextArea({ label, hint, error, badge, value, rows = 2, ...area }: AreaProps) {
  return (
    <label>
      {label} <Badge text={badge} />
      <textarea rows={rows} {...area} defaultValue={value} aria-invalid={error ? true : undefined} />
      <FieldError text={error} />
      <Hint text={hint} />
    </label>
  );
}

export function CheckField(
  { label, name, checked, badge }: { label: string; name: string; checked?: boolean; badge?: string },
) {
  return (
    <label class="check">
      <input name={name} type="checkbox" defaultChecked={checked} /> {label} <Badge text={badge} />
    </label>
  );
}

export function SelectField(
  { label, name, value, options, onChange }: {
    label: string;
    name: string;
    value?: string;
    /** `[value, text]` pairs. */
    options: [string, string][];
    onChange?(value: string): void;
  },
) {
  return (
    <label>
      {label}
      <select
        name={name}
        value={onChange ? value : undefined}
        defaultValue={onChange ? undefined : value}
        onChange={onChange ? (e) => onChange(e.currentTarget.value) : undefined}
      >
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </label>
  );
}

/** Fields side by side (stacked on a phone). */
export function FieldRow({ children }: { children: ComponentChildren }) {
  return <div class="row">{children}</div>;
}

/** A write-only secret: a password field that leaves the stored value unchanged when left empty. */
export function SecretField(
  { label, name, badge, hint, error }: {
    label: string;
    name: string;
    badge?: string;
    hint?: string;
    error?: string;
  },
) {
  const { t } = useI18n();
  return (
    <TextField
      label={label}
      name={name}
      badge={badge}
      hint={hint}
      error={error}
      type="password"
      autocomplete="new-password"
      placeholder={t("setting.secret_unchanged")}
    />
  );
}

/** A form's submit button (Save unless told) and, with `onCancel`, a Cancel button. */
export function FormButtons({ submit, onCancel }: { submit?: string; onCancel?(): void }) {
  const { t } = useI18n();
  return (
    <div class="row">
      <button type="submit" class="btn btn-primary">{submit ?? t("common.save")}</button>
      {onCancel && (
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t("common.cancel")}</button>
      )}
    </div>
  );
}

/** A new password and its confirmation (names `password` and `confirm`), checked by `newPasswordProblem`. */
export function NewPasswordFields({ label, confirm }: { label: string; confirm: string }) {
  const { t } = useI18n();
  return (
    <>
      {([["password", label], [confirm, t("auth.confirm_password")]] as const).map(([name, text]) => (
        <TextField
          key={name}
          label={text}
          name={name}
          type="password"
          autocomplete="new-password"
          minLength={8}
          required
        />
      ))}
    </>
  );
}
