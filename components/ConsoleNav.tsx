/** The console sidebar: New API's console URLs, admin pages grouped apart. */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";

interface NavItem {
  href: string;
  label: MessageKey;
  role?: number;
}

const userItems: NavItem[] = [
  { href: "/console", label: "nav.dashboard" },
  { href: "/console/token", label: "nav.tokens" },
  { href: "/console/log", label: "nav.logs" },
  { href: "/console/task", label: "nav.task_logs" },
  { href: "/console/midjourney", label: "nav.mj_logs" },
  { href: "/console/playground", label: "nav.playground" },
  { href: "/chat2link", label: "nav.chat" },
  { href: "/console/topup", label: "nav.topup" },
  { href: "/console/personal", label: "nav.personal" },
];

const adminItems: NavItem[] = [
  { href: "/console/channel", label: "nav.channels", role: 10 },
  { href: "/console/user", label: "nav.users", role: 10 },
  { href: "/console/redemption", label: "nav.redemptions", role: 10 },
  { href: "/console/topup_orders", label: "nav.topup_orders", role: 10 },
  { href: "/console/ops", label: "nav.ops", role: 100 },
  { href: "/console/setting", label: "nav.settings", role: 100 },
];

export function ConsoleNav({ path, role }: { path: string; role?: number }) {
  const { t } = useI18n();
  const visible = (item: NavItem) => role === undefined || (item.role ?? 1) <= role;
  const link = (item: NavItem) => (
    <li key={item.href}>
      <a href={item.href} aria-current={path === item.href ? "page" : undefined}>{t(item.label)}</a>
    </li>
  );
  const admin = adminItems.filter(visible);
  return (
    <nav aria-label={t("layout.console_nav")}>
      <ul class="nav-list">{userItems.map(link)}</ul>
      {admin.length > 0 && (
        <>
          <p class="nav-heading">{t("nav.admin")}</p>
          <ul class="nav-list">{admin.map(link)}</ul>
        </>
      )}
    </nav>
  );
}
