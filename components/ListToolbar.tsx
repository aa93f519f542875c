/** The toolbar above a list: a keyword search form and the list's own buttons. */
import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n/context.ts";
import { formValues } from "../client/form.ts";

export function ListToolbar(
  { placeholder, onSearch, children }: {
    placeholder: string;
    onSearch(keyword: string): void;
    children?: ComponentChildren;
  },
) {
  const { t } = useI18n();
  return (
    <div class="toolbar">
      <form
        class="inline-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(String(formValues(e.currentTarget as HTMLFormElement).keyword ?? ""));
        }}
      >
        <input name="keyword" type="search" placeholder={placeholder} aria-label={placeholder} />
        <button type="submit" class="btn">{t("common.search")}</button>
      </form>
      {children}
    </div>
  );
}
