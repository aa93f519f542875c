/** `/console/ops`: this instance's performance, the deployment's nodes and the system tasks (root). */
import type { PageConfig } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import OpsPanel from "../../islands/OpsPanel.tsx";

export const config: PageConfig = { path: "/console/ops", title: "ops.title", layout: "console", role: 100 };

export default function OpsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("ops.title")} description={t("ops.description")} />
      <OpsPanel />
    </>
  );
}
