/** `/console/redemption`: redemption codes (admin). */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import RedemptionManager from "../../islands/RedemptionManager.tsx";

export const config: PageConfig = {
  path: "/console/redemption",
  title: "redemption.title",
  layout: "console",
  role: 10,
};

export default function RedemptionPage({ quotaPerUnit }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("redemption.title")} description={t("redemption.description")} />
      <RedemptionManager quotaPerUnit={quotaPerUnit} />
    </>
  );
}
