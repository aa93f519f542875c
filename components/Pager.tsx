/** Previous / next for New API's paged lists (`p` starts at 1). */
import { useI18n } from "../i18n/context.ts";

export function Pager(
  { page, pageSize, total, onPage }: {
    page: number;
    pageSize: number;
    total: number;
    onPage(p: number): void;
  },
) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div class="pager">
      <button type="button" class="btn btn-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t("common.previous")}
      </button>
      <span>{t("common.page_of", { page, pages, total })}</span>
      <button type="button" class="btn btn-small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t("common.next")}
      </button>
    </div>
  );
}
