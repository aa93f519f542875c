/**
 * A paged list as a table: columns, an "empty" line, the pager, and `<ApiNotice>` while loading or when
 * the API refused. Rows can open a detail row (told apart by position: users' log ids repeat). Cells are
 * rendered as text unless a column says more.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { PagedList } from "../client/use_paged_list.ts";
import { ApiNotice } from "./ApiNotice.tsx";
import { Pager } from "./Pager.tsx";

export interface Column<T> {
  label: string;
  cell(row: T): ComponentChildren;
  /** `class` of the cell (`actions` for a row's buttons). */
  class?: string;
}

export function PagedTable<T extends { id: number }>(
  { list, columns, empty, detail, cards }: {
    list: PagedList<T>;
    columns: (Column<T> | false)[];
    /** Shown when the list is empty. */
    empty: string;
    /** A row's detail, shown under it when the row is clicked. */
    detail?: (row: T) => ComponentChildren;
    /** On a phone, each row as a card of "label: value" lines instead of a table wider than the screen. */
    cards?: boolean;
  },
) {
  const [open, setOpen] = useState<number>();
  const shown = columns.filter((c): c is Column<T> => c !== false);
  const data = list.data;
  if (!data) return <ApiNotice result={list.result} loading={list.loading} />;
  if (data.items.length === 0) return <p class="notice notice-muted" data-state="empty">{empty}</p>;
  return (
    <div class={cards ? "table-wrap phone-cards" : "table-wrap"}>
      <table>
        <thead>
          <tr>{shown.map((c) => <th key={c.label}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {data.items.map((row, i) => [
            <tr
              key={`${row.id}-${i}`}
              class={detail ? "clickable" : undefined}
              onClick={detail ? () => setOpen(open === i ? undefined : i) : undefined}
            >
              {shown.map((c) => <td key={c.label} class={c.class} data-label={c.label}>{c.cell(row)}</td>)}
            </tr>,
            detail && open === i && (
              <tr key={`${row.id}-${i}-detail`} class="detail">
                <td colSpan={shown.length}>{detail(row)}</td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
      <Pager page={list.page} pageSize={list.pageSize} total={data.total} onPage={list.setPage} />
    </div>
  );
}
