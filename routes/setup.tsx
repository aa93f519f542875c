/** `/setup`: the first-run wizard that creates the root account; every other page redirects here until it is done. */
import type { PageConfig } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import SetupForm from "../islands/SetupForm.tsx";

export const config: PageConfig = {
  path: "/setup",
  title: "setup.title",
  layout: "public",
  beforeSetup: true,
};

export default function SetupPage() {
  const { t } = useI18n();
  return (
    <div class="narrow">
      <PageHeader title={t("setup.title")} description={t("setup.description")} />
      <SetupForm />
    </div>
  );
}
