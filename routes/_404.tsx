/** The page for unknown console paths (answered with status 404). */
import type { PageConfig, PageProps } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";

export const config: PageConfig = {
  path: "/404",
  title: "not_found.title",
  layout: "public",
  beforeSetup: true,
};

export default function NotFoundPage({ url }: PageProps) {
  const { t } = useI18n();
  return (
    <div class="narrow not-found">
      <h1>{t("not_found.title")}</h1>
      <p>{t("not_found.text", { path: url.pathname })}</p>
      <p>
        <a class="btn btn-primary" href="/">{t("not_found.home")}</a>
      </p>
    </div>
  );
}
