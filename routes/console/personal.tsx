/** `/console/personal`: personal settings: password, access token, notifications, 2FA, passkey, bindings,
 * sign-in sessions. */
import type { PageConfig, PageProps } from "../../server/console/page.ts";
import { useI18n } from "../../i18n/context.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import Profile from "../../islands/Profile.tsx";
import AccountSecurity from "../../islands/AccountSecurity.tsx";
import LoginSessions from "../../islands/LoginSessions.tsx";

export const config: PageConfig = { path: "/console/personal", title: "profile.title", layout: "console" };

export default function PersonalPage({ quotaPerUnit }: PageProps) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("profile.title")} description={t("profile.description")} />
      <Profile quotaPerUnit={quotaPerUnit} />
      <AccountSecurity />
      <LoginSessions />
    </>
  );
}
