/** Header account links: "sign in / sign up" for visitors; the user's name and "sign out" (`POST /api/user/logout`). */
import { useI18n } from "../i18n/context.ts";
import { api } from "../client/api.ts";

export default function UserMenu({ user }: { user?: { username: string; displayName?: string } }) {
  const { t } = useI18n();
  if (!user) {
    return (
      <span class="user-menu">
        <a href="/login" class="btn btn-small">{t("nav.login")}</a>
        <a href="/register" class="btn btn-small btn-ghost">{t("nav.register")}</a>
      </span>
    );
  }
  const signOut = async () => {
    await api("POST", "/api/user/logout");
    location.assign("/login");
  };
  return (
    <span class="user-menu">
      <a href="/console/personal" class="user-name">{user.displayName || user.username}</a>
      <button type="button" class="btn btn-small btn-ghost" onClick={signOut}>{t("nav.logout")}</button>
    </span>
  );
}
