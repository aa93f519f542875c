/** `/console/task`: Suno and video task logs, with status, progress and previews of the results. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import TaskLogTable from "../../islands/TaskLogTable.tsx";

export const config: PageConfig = {
  path: "/console/task",
  title: "task.title",
  layout: "console",
  remoteMedia: true,
};

export default function TaskLogPage({ quotaPerUnit, user }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("task.title")} description={t("task.description_page")} />
      <TaskLogTable kind="task" quotaPerUnit={quotaPerUnit} admin={(user?.role ?? 0) >= 10} />
    </>
  );
}
