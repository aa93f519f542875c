/**
 * Channels (admin, `/api/channel`): paged list with status, response time and balance; priority and weight
 * edited inline; test (`GET /api/channel/test/:id`), enable/disable, edit, delete.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { api, asPage } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { channelTypeName } from "../client/channel_types.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { type ChannelFields, ChannelForm } from "../components/ChannelForm.tsx";
import { Pager } from "../components/Pager.tsx";

interface Channel extends ChannelFields {
  id: number;
  status: number;
  response_time: number;
  balance: number;
  test_time: number;
}

const PAGE_SIZE = 20;
const statusLabels: Record<number, MessageKey> = {
  1: "status.enabled",
  2: "status.disabled",
  3: "status.auto_disabled",
};

export default function ChannelManager() {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<ChannelFields | "new">();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const list = useApiGet<unknown>(`/api/channel/?p=${page}&page_size=${PAGE_SIZE}`);
  const data = list.result?.ok ? asPage<Channel>(list.result.data, page, PAGE_SIZE) : undefined;

  const update = async (body: Record<string, unknown>) => {
    const r = await api("PUT", "/api/channel/", body);
    setMessage(r.ok ? { ok: true, text: t("common.saved") } : { ok: false, text: r.message });
    if (r.ok) list.reload();
  };
  const test = async (ch: Channel) => {
    const r = await api<{ time?: number }>("GET", `/api/channel/test/${ch.id}`);
    const time = r.data?.time ?? (r.body?.time as number | undefined);
    setMessage(
      r.ok
        ? { ok: true, text: t("channel.test_ok", { name: ch.name, seconds: (time ?? 0).toFixed(2) }) }
        : { ok: false, text: t("channel.test_failed", { name: ch.name, message: r.message }) },
    );
    list.reload();
  };
  const remove = async (ch: Channel) => {
    if (!confirm(t("common.confirm_delete"))) return;
    const r = await api("DELETE", `/api/channel/${ch.id}`);
    setMessage(r.ok ? { ok: true, text: t("common.deleted") } : { ok: false, text: r.message });
    if (r.ok) list.reload();
  };
  const edit = async (ch: Channel) => {
    const r = await api<ChannelFields>("GET", `/api/channel/${ch.id}`);
    setEditing(r.ok && r.data ? r.data : ch);
  };
  const done = () => {
    setEditing(undefined);
    list.reload();
  };

  return (
    <div class="manager">
      <div class="toolbar">
        <button type="button" class="btn btn-primary" onClick={() => setEditing("new")}>
          {t("channel.create")}
        </button>
      </div>
      {editing && <ChannelForm channel={editing === "new" ? undefined : editing} onDone={done} />}
      <ActionMessage message={message} />
      {data
        ? data.items.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("channel.empty")}</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>ID</th>
                    <th>{t("common.name")}</th>
                    <th>{t("channel.type")}</th>
                    <th>{t("common.status")}</th>
                    <th>{t("channel.response_time")}</th>
                    <th>{t("channel.balance")}</th>
                    <th>{t("channel.priority")}</th>
                    <th>{t("channel.weight")}</th>
                    <th>{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((ch) => (
                    <tr key={ch.id}>
                      <td>{ch.id}</td>
                      <td>{ch.name}</td>
                      <td>{channelTypeName(ch.type)}</td>
                      <td>
                        <span class={`badge status-${ch.status}`}>
                          {t(statusLabels[ch.status] ?? "status.unknown")}
                        </span>
                      </td>
                      <td>{ch.response_time ? `${ch.response_time} ms` : "—"}</td>
                      <td>{ch.balance ? `$${ch.balance.toFixed(2)}` : "—"}</td>
                      <td>
                        <input
                          class="inline-number"
                          type="number"
                          aria-label={t("channel.priority")}
                          value={String(ch.priority ?? 0)}
                          onChange={(e) =>
                            update({ id: ch.id, priority: Number(e.currentTarget.value) || 0 })}
                        />
                      </td>
                      <td>
                        <input
                          class="inline-number"
                          type="number"
                          min="0"
                          aria-label={t("channel.weight")}
                          value={String(ch.weight ?? 0)}
                          onChange={(e) => update({ id: ch.id, weight: Number(e.currentTarget.value) || 0 })}
                        />
                      </td>
                      <td class="actions">
                        <button type="button" class="btn btn-small" onClick={() => test(ch)}>
                          {t("channel.test")}
                        </button>
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() => update({ id: ch.id, status: ch.status === 1 ? 2 : 1 })}
                        >
                          {ch.status === 1 ? t("common.disable") : t("common.enable")}
                        </button>
                        <button type="button" class="btn btn-small" onClick={() => edit(ch)}>
                          {t("common.edit")}
                        </button>
                        <button type="button" class="btn btn-small btn-danger" onClick={() => remove(ch)}>
                          {t("common.delete")}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={setPage} />
            </div>
          )
        : <ApiNotice result={list.result} loading={list.loading} />}
    </div>
  );
}
