/** Header account links: "sign in / sign up" until the browser knows a signed-in user, then name and sign out. */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import { api, type StoredUser, storedUser, storeUser } from "../client/api.ts";

export default function UserMenu() {
  const { t } = useI18n();
  const [user, setUser] = useState<StoredUser | undefined>(undefined);
  useEffect(() => setUser(storedUser()), []);
  if (!user) {
    return (
      <span class="user-menu">
        <a href="/login" class="btn btn-small">{t("nav.login")}</a>
        <a href="/register" class="btn btn-small btn-ghost">{t("nav.register")}</a>
      </span>
    );
  }
  const signOut = async () => {
    await api("GET", "/api/user/logout");
    storeUser(undefined);
    location.assign("/login");
  };
  return (
    <span class="user-menu">
      <a href="/console/personal" class="user-name">{user.display_name || user.username}</a>
      <button type="button" class="btn btn-small btn-ghost" onClick={signOut}>{t("nav.logout")}</button>
    </span>
  );
}
