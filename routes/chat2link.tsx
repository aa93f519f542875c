/** `/chat2link`: hands a new API key to one of the chat apps the `Chats` option lists. */
import type { PageConfig } from "../server/console/page.ts";
import { useI18n } from "../i18n/context.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import ChatLauncher from "../islands/ChatLauncher.tsx";

export const config: PageConfig = { path: "/chat2link", title: "chat.title", layout: "console" };

export default function ChatLinkPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("chat.title")} description={t("chat.description")} />
      <ChatLauncher />
    </>
  );
}
