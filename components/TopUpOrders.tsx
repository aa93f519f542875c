/**
 * A list of `top_ups` orders with a trade-number search: a user's own (`GET /api/user/topup/self`, the last
 * 30 days) in the wallet, or every order (`GET /api/user/topup`) for administrators, who can mark a
 * pending one paid (`POST /api/user/topup/complete {trade_no}`).
 */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { useAction } from "../client/use_action.ts";
import { formatTime } from "../client/format.ts";
import { ActionMessage } from "./ApiNotice.tsx";
import { ConfirmButton } from "./ConfirmButton.tsx";
import { ListToolbar } from "./ListToolbar.tsx";
import { PagedTable } from "./PagedTable.tsx";

export interface TopUpOrder {
  id: number;
  user_id: number;
  amount: number;
  money: number;
  trade_no: string;
  payment_method: string;
  create_time: number;
  complete_time: number;
  status: string;
}

const statusLabels: Record<string, MessageKey> = {
  pending: "topup.status_pending",
  success: "topup.status_success",
  expired: "topup.status_expired",
};

export function TopUpOrders({ admin = false, onChange }: { admin?: boolean; onChange?: () => void }) {
  const { t, lang } = useI18n();
  const list = usePagedList<TopUpOrder>(admin ? "/api/user/topup" : "/api/user/topup/self", { pageSize: 10 });
  const action = useAction(() => {
    list.reload();
    onChange?.();
  });
  return (
    <section class="stack" data-section="topup-orders">
      {!admin && <h2>{t("topup.orders")}</h2>}
      <ListToolbar placeholder={t("topup.search_trade_no")} onSearch={list.search} />
      <ActionMessage message={action.message} />
      <PagedTable
        list={list}
        empty={t("topup.orders_empty")}
        columns={[
          admin && { label: t("topup.user_id"), cell: (o) => o.user_id },
          { label: t("topup.trade_no"), cell: (o) => <code>{o.trade_no}</code> },
          { label: t("topup.method"), cell: (o) => o.payment_method },
          { label: t("topup.amount"), cell: (o) => o.amount },
          { label: t("topup.money"), cell: (o) => o.money.toFixed(2) },
          {
            label: t("common.status"),
            cell: (o) => (
              <span class={`badge topup-${o.status}`} data-status={o.status}>
                {t(statusLabels[o.status] ?? "status.unknown")}
              </span>
            ),
          },
          { label: t("common.created"), cell: (o) => formatTime(o.create_time, lang) },
          { label: t("topup.completed"), cell: (o) => formatTime(o.complete_time, lang) },
          admin && {
            label: t("common.actions"),
            class: "actions",
            cell: (o) =>
              o.status === "pending" && (
                <ConfirmButton
                  label={t("topup.complete")}
                  question={t("topup.complete_confirm", { trade_no: o.trade_no })}
                  danger={false}
                  onConfirm={() =>
                    action.run(
                      "POST",
                      "/api/user/topup/complete",
                      { trade_no: o.trade_no },
                      "topup.completed_done",
                    )}
                />
              ),
          },
        ]}
      />
    </section>
  );
}
