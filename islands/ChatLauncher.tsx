/**
 * The chat apps of `GET /api/status` (`chats`, New API's `Chats` option) with an Open button each: it
 * creates an API key for that app (`POST /api/token/`, the key comes back once in the body) and sends the
 * browser to the app's link filled in here (`client/chat_link.ts`), so the key is never in a URL this
 * server sees.
 */
import { useI18n } from "../i18n/context.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { chatLink } from "../client/chat_link.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { RowButton } from "../components/RowButton.tsx";

interface Status {
  server_address?: string;
  chats?: Record<string, string>[];
}

export default function ChatLauncher() {
  const { t } = useI18n();
  const status = useApiGet<Status>("/api/status");
  const action = useAction();
  const chats = (status.result?.data?.chats ?? []).flatMap((entry) => Object.entries(entry).slice(0, 1));
  const open = async (name: string, template: string) => {
    const r = await action.run<{ key?: string }>("POST", "/api/token/", {
      name: `${name} (chat2link)`.slice(0, 50),
      unlimited_quota: true,
      expired_time: -1,
    }, "chat.key_created");
    if (!r.ok || !r.data?.key) return;
    const address = status.result?.data?.server_address || location.origin;
    location.assign(chatLink(template, r.data.key, address));
  };
  if (!status.result?.ok) return <ApiNotice result={status.result} loading={status.loading} />;
  if (chats.length === 0) return <p class="notice notice-muted" data-state="empty">{t("chat.none")}</p>;
  return (
    <div class="stack">
      <ActionMessage message={action.message} />
      <ul class="chat-apps">
        {chats.map(([name, template]) => (
          <li key={name} class="card">
            <span>{name}</span>
            <RowButton label={t("chat.open")} onClick={() => open(name, template)} />
          </li>
        ))}
      </ul>
    </div>
  );
}
