/** `/console`: the dashboard: balance, usage cards and charts. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import Dashboard from "../../islands/Dashboard.tsx";

export const config: PageConfig = { path: "/console", title: "dashboard.title", layout: "console" };

export default function DashboardPage({ quotaPerUnit, notice, user }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("dashboard.title")} description={t("dashboard.description")} />
      {notice && (
        <section class="notice notice-warn site-notice" aria-label={t("setting.notice")}>{notice}</section>
      )}
      <Dashboard quotaPerUnit={quotaPerUnit} admin={(user?.role ?? 0) >= 10} />
    </>
  );
}
