/** `/console/playground`: chat with a model through the gateway. */
import type { PageConfig } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import Playground from "../../islands/Playground.tsx";

export const config: PageConfig = {
  path: "/console/playground",
  title: "playground.title",
  layout: "console",
};

export default function PlaygroundPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("playground.title")} description={t("playground.description")} />
      <Playground />
    </>
  );
}
