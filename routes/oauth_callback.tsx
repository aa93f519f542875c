/** `/oauth/:provider`: where GitHub, Discord, OIDC and Linux DO send the browser back (New API's path). */
import type { PageConfig, PageProps } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import OAuthCallback from "../islands/OAuthCallback.tsx";

export const config: PageConfig = { path: "/oauth/:provider", title: "oauth.title", layout: "public" };

export default function OAuthCallbackPage({ url }: PageProps) {
  const { t } = useI18n();
  const provider = url.pathname.split("/")[2] ?? "";
  return (
    <div class="narrow">
      <PageHeader title={t("oauth.title")} />
      <OAuthCallback provider={provider.slice(0, 32)} />
    </div>
  );
}
