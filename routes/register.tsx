/** `/register`: create an account (`?aff=CODE` pre-fills an invitation code). */
import type { PageConfig, PageProps } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import RegisterForm from "../islands/RegisterForm.tsx";

export const config: PageConfig = { path: "/register", title: "register.title", layout: "public" };

export default function RegisterPage({ url }: PageProps) {
  const { t } = useI18n();
  const aff = url.searchParams.get("aff")?.slice(0, 32);
  return (
    <div class="narrow">
      <PageHeader title={t("register.title")} description={t("register.description")} />
      <RegisterForm affCode={aff} />
    </div>
  );
}
