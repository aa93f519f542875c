/** `/login`: sign in with a username and password. */
import type { PageConfig } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import LoginForm from "../islands/LoginForm.tsx";

export const config: PageConfig = { path: "/login", title: "login.title", layout: "public" };

export default function LoginPage() {
  const { t } = useI18n();
  return (
    <div class="narrow">
      <PageHeader title={t("login.title")} description={t("login.description")} />
      <LoginForm />
    </div>
  );
}
