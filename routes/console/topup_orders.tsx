/** `/console/topup_orders`: every top-up order (admin), with New API's search and manual completion. */
import type { PageConfig } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import TopUpOrderManager from "../../islands/TopUpOrderManager.tsx";

export const config: PageConfig = {
  path: "/console/topup_orders",
  title: "topup.orders_title",
  layout: "console",
  role: 10,
};

export default function TopUpOrdersPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("topup.orders_title")} description={t("topup.orders_description")} />
      <TopUpOrderManager />
    </>
  );
}
