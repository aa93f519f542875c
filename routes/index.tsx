/** `/`: the landing page: what this gateway is, where to start, and the base URL for API clients. */
import type { PageConfig, PageProps } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";

export const config: PageConfig = { path: "/", title: "home.title", layout: "public" };

export default function HomePage({ url, systemName }: PageProps) {
  const { t } = useI18n();
  const base = `${url.origin}/v1`;
  return (
    <div class="home">
      <section class="hero">
        <h1>{systemName}</h1>
        <p class="lead">{t("home.lead")}</p>
        <p class="hero-actions">
          <a class="btn btn-primary" href="/console">{t("home.open_console")}</a>
          <a class="btn" href="/pricing">{t("nav.pricing")}</a>
        </p>
      </section>
      <section class="features">
        <div class="card">
          <h2>{t("home.feature_formats")}</h2>
          <p>{t("home.feature_formats_text")}</p>
        </div>
        <div class="card">
          <h2>{t("home.feature_channels")}</h2>
          <p>{t("home.feature_channels_text")}</p>
        </div>
        <div class="card">
          <h2>{t("home.feature_billing")}</h2>
          <p>{t("home.feature_billing_text")}</p>
        </div>
      </section>
      <section class="card">
        <h2>{t("home.quick_start")}</h2>
        <p>{t("home.base_url")}</p>
        <pre class="code">{`curl ${base}/chat/completions \\\n  -H "Authorization: Bearer sk-..." \\\n  -H "Content-Type: application/json" \\\n  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}'`}</pre>
      </section>
    </div>
  );
}
