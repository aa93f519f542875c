/** `/console/user`: user management (admin). */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import UserManager from "../../islands/UserManager.tsx";

export const config: PageConfig = { path: "/console/user", title: "user.title", layout: "console", role: 10 };

export default function UserPage({ quotaPerUnit, user }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("user.title")} description={t("user.description")} />
      <UserManager quotaPerUnit={quotaPerUnit} viewerRole={user?.role ?? 0} />
    </>
  );
}
