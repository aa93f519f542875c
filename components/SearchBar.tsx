/** The search form at the top of a list: one keyword field and a button. */
import { useI18n } from "../i18n/context.ts";
import { formValues } from "../client/form.ts";

export function SearchBar(
  { placeholder, onSearch }: { placeholder: string; onSearch(keyword: string): void },
) {
  const { t } = useI18n();
  return (
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
  );
}
