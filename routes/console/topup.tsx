/** `/console/topup`: wallet: balance and redeeming a code. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import TopUp from "../../islands/TopUp.tsx";

export const config: PageConfig = { path: "/console/topup", title: "topup.title", layout: "console" };

export default function TopUpPage({ quotaPerUnit }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("topup.title")} description={t("topup.description")} />
      <TopUp quotaPerUnit={quotaPerUnit} />
    </>
  );
}
