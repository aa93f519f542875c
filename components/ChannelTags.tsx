/**
 * The channel list in tag mode (`GET /api/channel/?tag_mode=true` pages by tag and answers every channel
 * of the page's tags): one row per tag with its channels, how many are enabled and how many models they
 * serve; enable or disable a whole tag (`POST /api/channel/tag/enabled|disabled`) or list its channels.
 */
import { useI18n } from "../i18n/context.ts";
import type { Action } from "../client/use_action.ts";
import type { PagedList } from "../client/use_paged_list.ts";
import type { ChannelFields } from "./ChannelForm.tsx";
import { PagedTable } from "./PagedTable.tsx";
import { RowButton } from "./RowButton.tsx";

interface TagRow {
  id: number;
  tag: string;
  channels: number;
  enabled: number;
  models: number;
}

export function tagRows(channels: (ChannelFields & { status: number })[]): TagRow[] {
  const byTag = new Map<string, { channels: number; enabled: number; models: Set<string> }>();
  for (const ch of channels) {
    const tag = ch.tag ?? "";
    const row = byTag.get(tag) ?? { channels: 0, enabled: 0, models: new Set<string>() };
    row.channels++;
    if (ch.status === 1) row.enabled++;
    for (const m of (ch.models ?? "").split(",")) if (m.trim()) row.models.add(m.trim());
    byTag.set(tag, row);
  }
  return [...byTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, r], i) => ({
    id: i,
    tag,
    channels: r.channels,
    enabled: r.enabled,
    models: r.models.size,
  }));
}

export function ChannelTags<T extends ChannelFields & { id: number; status: number }>(
  { list, action, onShow }: { list: PagedList<T>; action: Action; onShow(tag: string): void },
) {
  const { t } = useI18n();
  const tags: PagedList<TagRow> = {
    ...list,
    data: list.data && { ...list.data, items: tagRows(list.data.items) },
  };
  return (
    <PagedTable
      list={tags}
      empty={t("channel.no_tags")}
      columns={[
        { label: t("channel.tag"), cell: (r) => r.tag },
        {
          label: t("nav.channels"),
          cell: (r) => t("channel.tag_enabled_count", { enabled: r.enabled, total: r.channels }),
        },
        { label: t("channel.models_count"), cell: (r) => r.models },
        {
          label: t("common.actions"),
          class: "actions",
          cell: (r) => (
            <>
              <RowButton label={t("channel.tag_show")} onClick={() => onShow(r.tag)} />
              <RowButton
                label={t("channel.tag_enable")}
                onClick={() => action.run("POST", "/api/channel/tag/enabled", { tag: r.tag })}
              />
              <RowButton
                label={t("channel.tag_disable")}
                onClick={() => action.run("POST", "/api/channel/tag/disabled", { tag: r.tag })}
              />
            </>
          ),
        },
      ]}
    />
  );
}
