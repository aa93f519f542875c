/** `/console/token`: API keys: create, enable/disable, delete. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import TokenManager from "../../islands/TokenManager.tsx";

export const config: PageConfig = { path: "/console/token", title: "token.title", layout: "console" };

export default function TokenPage({ quotaPerUnit }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("token.title")} description={t("token.description")} />
      <TokenManager quotaPerUnit={quotaPerUnit} />
    </>
  );
}
