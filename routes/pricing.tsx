/** `/pricing`: public list of models and their prices per group. */
import type { PageConfig } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import PricingTable from "../islands/PricingTable.tsx";

export const config: PageConfig = { path: "/pricing", title: "pricing.title", layout: "public" };

export default function PricingPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("pricing.title")} description={t("pricing.description")} />
      <PricingTable />
    </>
  );
}
