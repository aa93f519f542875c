/** `/console/setting`: system settings (root). */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import SettingsForm from "../../islands/SettingsForm.tsx";

export const config: PageConfig = {
  path: "/console/setting",
  title: "setting.title",
  layout: "console",
  role: 100,
};

export default function SettingPage({ quotaPerUnit }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("setting.title")} description={t("setting.description")} />
      <SettingsForm quotaPerUnit={quotaPerUnit} />
    </>
  );
}
