/**
 * The keys of one multi-key channel (`POST /api/channel/multi_key/manage`): each key's preview, state and
 * why it was disabled; enable, disable or delete one, enable all, delete the automatically disabled ones;
 * and the order keys are used in (`multi_key_mode` through `PUT /api/channel/`). Keys are never shown.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { useApiCall } from "../client/use_api.ts";
import type { Action } from "../client/use_action.ts";
import type { PagedList } from "../client/use_paged_list.ts";
import { formatTime } from "../client/format.ts";
import type { ChannelFields } from "./ChannelForm.tsx";
import { ConfirmButton, DeleteButton } from "./ConfirmButton.tsx";
import { SelectField } from "./FormField.tsx";
import { PagedTable } from "./PagedTable.tsx";
import { StatusToggle } from "./RowButton.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

interface KeyState {
  id: number;
  index: number;
  status: number;
  disabled_time?: number;
  reason?: string;
  key_preview: string;
}

interface KeyPage {
  keys: Omit<KeyState, "id">[];
  total: number;
  page: number;
  page_size: number;
  enabled_count: number;
  manual_disabled_count: number;
  auto_disabled_count: number;
}

const labels: Record<number, MessageKey> = {
  1: "status.enabled",
  2: "status.disabled",
  3: "status.auto_disabled",
};

const PAGE_SIZE = 10;
const MANAGE = "/api/channel/multi_key/manage";

export function ChannelKeys(
  { channel, action, onClose }: { channel: ChannelFields & { id: number }; action: Action; onClose(): void },
) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  const [mode, setMode] = useState(channel.channel_info?.multi_key_mode ?? "random");
  const load = useApiCall<KeyPage>("POST", MANAGE, {
    channel_id: channel.id,
    action: "get_key_status",
    page,
    page_size: PAGE_SIZE,
  });
  const data = load.result?.ok ? load.result.data : undefined;
  const list: PagedList<KeyState> = {
    ...load,
    page,
    pageSize: PAGE_SIZE,
    setPage,
    search: () => {},
    filter: () => {},
    data: data && { ...data, items: data.keys.map((k) => ({ ...k, id: k.index })) },
  };
  const manage = async (what: string, key_index?: number) => {
    await action.run("POST", MANAGE, { channel_id: channel.id, action: what, key_index });
    load.reload();
  };
  return (
    <section class="card stack channel-keys">
      <div class="toolbar">
        <h2>{t("channel.keys_of", { name: channel.name })}</h2>
        <button type="button" class="btn btn-ghost" onClick={onClose}>{t("common.close")}</button>
      </div>
      {data && (
        <p class="muted">
          {t("channel.key_counts", {
            enabled: data.enabled_count,
            manual: data.manual_disabled_count,
            auto: data.auto_disabled_count,
          })}
        </p>
      )}
      <div class="toolbar">
        <SelectField
          label={t("channel.multi_key_mode")}
          name="multi_key_mode"
          value={mode}
          options={[["random", t("channel.mode_random")], ["polling", t("channel.mode_polling")]]}
          onChange={async (next) => {
            const r = await action.run("PUT", "/api/channel/", { id: channel.id, multi_key_mode: next });
            if (r.ok) setMode(next as typeof mode);
          }}
        />
        <button type="button" class="btn btn-small" onClick={() => manage("enable_all_keys")}>
          {t("channel.keys_enable_all")}
        </button>
        <ConfirmButton
          label={t("channel.keys_delete_auto")}
          question={t("channel.keys_delete_auto_confirm")}
          onConfirm={() => manage("delete_disabled_keys")}
        />
      </div>
      <PagedTable
        list={list}
        empty={t("channel.empty")}
        columns={[
          { label: "#", cell: (k) => k.index + 1 },
          { label: t("channel.key"), cell: (k) => <code>{k.key_preview}</code> },
          { label: t("common.status"), cell: (k) => <StatusBadge status={k.status} labels={labels} /> },
          { label: t("channel.key_reason"), cell: (k) => k.reason ?? "" },
          { label: t("channel.key_disabled_at"), cell: (k) => formatTime(k.disabled_time ?? 0, lang) },
          {
            label: t("common.actions"),
            class: "actions",
            cell: (k) => (
              <>
                <StatusToggle
                  enabled={k.status === 1}
                  onToggle={() => manage(k.status === 1 ? "disable_key" : "enable_key", k.index)}
                />
                <DeleteButton onConfirm={() => manage("delete_key", k.index)} />
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
