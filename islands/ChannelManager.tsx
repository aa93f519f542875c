/**
 * Channels (admin, `/api/channel`): paged list and search with status, response time and balance;
 * priority and weight edited inline (partial `PUT /api/channel/`); enable/disable
 * (`POST /api/channel/:id/status`), test (`GET /api/channel/test/:id`), edit and delete; the keys of a
 * multi-key channel (`ChannelKeys`), and the list by tag (`ChannelTags`).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { api } from "../client/api.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { useAction } from "../client/use_action.ts";
import { channelTypeName } from "../client/channel_types.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { type ChannelFields, ChannelForm } from "../components/ChannelForm.tsx";
import { ChannelKeys } from "../components/ChannelKeys.tsx";
import { ChannelTags } from "../components/ChannelTags.tsx";
import { DeleteButton } from "../components/ConfirmButton.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { ListToolbar } from "../components/ListToolbar.tsx";
import { RowButton, StatusToggle } from "../components/RowButton.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

interface Channel extends ChannelFields {
  id: number;
  status: number;
  response_time: number;
  balance: number;
  test_time: number;
}

const statusLabels: Record<number, MessageKey> = {
  1: "status.enabled",
  2: "status.disabled",
  3: "status.auto_disabled",
};

export default function ChannelManager() {
  const { t } = useI18n();
  const list = usePagedList<Channel>("/api/channel/", { searchPath: "/api/channel/search" });
  const action = useAction(list.reload);
  const [editing, setEditing] = useState<ChannelFields | "new">();
  const [keysOf, setKeysOf] = useState<Channel>();
  const [byTag, setByTag] = useState(false);
  const [tagFilter, setTagFilter] = useState("");
  const test = async (ch: Channel) => {
    const r = await api<{ time?: number }>("GET", `/api/channel/test/${ch.id}`);
    const time = r.data?.time ?? (r.body?.time as number | undefined) ?? 0;
    action.say(
      r.ok
        ? { ok: true, text: t("channel.test_ok", { name: ch.name, seconds: time.toFixed(2) }) }
        : { ok: false, text: t("channel.test_failed", { name: ch.name, message: r.message }) },
    );
    list.reload();
  };
  const edit = async (ch: Channel) => {
    const r = await api<ChannelFields>("GET", `/api/channel/${ch.id}`);
    setEditing(r.ok && r.data ? r.data : ch);
  };
  const showTags = (on: boolean, tag = "") => {
    setByTag(on);
    setTagFilter(tag);
    list.filter(on ? { tag_mode: "true" } : { tag });
  };
  const inline = (ch: Channel, field: "priority" | "weight") => (
    <input
      class="inline-number"
      type="number"
      min={field === "weight" ? "0" : undefined}
      aria-label={t(`channel.${field}`)}
      value={String(ch[field] ?? 0)}
      onChange={(e) =>
        action.run("PUT", "/api/channel/", { id: ch.id, [field]: Number(e.currentTarget.value) || 0 })}
    />
  );
  const typeCell = (ch: Channel) => {
    const info = ch.channel_info;
    if (!info?.is_multi_key) return channelTypeName(ch.type);
    const mode = t(info.multi_key_mode === "polling" ? "channel.mode_polling" : "channel.mode_random");
    return `${channelTypeName(ch.type)} · ${t("channel.key_count", { count: info.multi_key_size, mode })}`;
  };

  return (
    <div class="manager">
      <ListToolbar placeholder={t("channel.search")} onSearch={list.search}>
        <label class="check">
          <input type="checkbox" checked={byTag} onChange={(e) => showTags(e.currentTarget.checked)} />{" "}
          {t("channel.tag_mode")}
        </label>
        {tagFilter && (
          <button type="button" class="btn btn-small" onClick={() => showTags(false)}>
            {t("channel.tag_filter_clear", { tag: tagFilter })}
          </button>
        )}
        <button type="button" class="btn btn-primary" onClick={() => setEditing("new")}>
          {t("channel.create")}
        </button>
      </ListToolbar>
      {editing && (
        <ChannelForm
          key={editing === "new" ? "new" : editing.id}
          channel={editing === "new" ? undefined : editing}
          action={action}
          onDone={() => setEditing(undefined)}
        />
      )}
      {keysOf && (
        <ChannelKeys
          key={keysOf.id}
          channel={keysOf}
          action={action}
          onClose={() => setKeysOf(undefined)}
        />
      )}
      <ActionMessage message={action.message} />
      {byTag
        ? <ChannelTags list={list} action={action} onShow={(tag) => showTags(false, tag)} />
        : (
          <PagedTable
            list={list}
            empty={t("channel.empty")}
            columns={[
              { label: "ID", cell: (ch) => ch.id },
              { label: t("common.name"), cell: (ch) => ch.name },
              { label: t("channel.type"), cell: typeCell },
              {
                label: t("common.status"),
                cell: (ch) => <StatusBadge status={ch.status} labels={statusLabels} />,
              },
              {
                label: t("channel.response_time"),
                cell: (ch) => ch.response_time ? `${ch.response_time} ms` : "—",
              },
              { label: t("channel.balance"), cell: (ch) => ch.balance ? `$${ch.balance.toFixed(2)}` : "—" },
              { label: t("channel.priority"), cell: (ch) => inline(ch, "priority") },
              { label: t("channel.weight"), cell: (ch) => inline(ch, "weight") },
              {
                label: t("common.actions"),
                class: "actions",
                cell: (ch) => (
                  <>
                    <RowButton label={t("channel.test")} onClick={() => test(ch)} />
                    {ch.channel_info?.is_multi_key && (
                      <RowButton
                        label={t("channel.keys")}
                        onClick={() => setKeysOf(ch)}
                      />
                    )}
                    <StatusToggle
                      enabled={ch.status === 1}
                      onToggle={() =>
                        action.run("POST", `/api/channel/${ch.id}/status`, {
                          status: ch.status === 1 ? 2 : 1,
                        })}
                    />
                    <RowButton label={t("common.edit")} onClick={() => edit(ch)} />
                    <DeleteButton
                      onConfirm={() =>
                        action.run("DELETE", `/api/channel/${ch.id}`, undefined, "common.deleted")}
                    />
                  </>
                ),
              },
            ]}
          />
        )}
    </div>
  );
}
