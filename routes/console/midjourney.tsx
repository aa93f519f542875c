/** `/console/midjourney`: Midjourney task logs, with status, progress and the images. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import TaskLogTable from "../../islands/TaskLogTable.tsx";

export const config: PageConfig = {
  path: "/console/midjourney",
  title: "mj.title",
  layout: "console",
  remoteMedia: true,
};

export default function MidjourneyLogPage({ quotaPerUnit, user }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("mj.title")} description={t("mj.description_page")} />
      <TaskLogTable kind="mj" quotaPerUnit={quotaPerUnit} admin={(user?.role ?? 0) >= 10} />
    </>
  );
}
