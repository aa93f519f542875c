/** `/console/channel`: upstream channels (admin). */
import type { PageConfig } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import ChannelManager from "../../islands/ChannelManager.tsx";

export const config: PageConfig = {
  path: "/console/channel",
  title: "channel.title",
  layout: "console",
  role: 10,
};

export default function ChannelPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("channel.title")} description={t("channel.description")} />
      <ChannelManager />
    </>
  );
}
