/** `/console/log`: usage logs with filters. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import LogTable from "../../islands/LogTable.tsx";

export const config: PageConfig = { path: "/console/log", title: "log.title", layout: "console" };

export default function LogPage({ quotaPerUnit, user }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("log.title")} description={t("log.description")} />
      <LogTable quotaPerUnit={quotaPerUnit} admin={(user?.role ?? 0) >= 10} />
    </>
  );
}
