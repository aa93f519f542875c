/**
 * The result page of a payment: a provider sends the browser back to `/console/topup?trade_no=…`, and the
 * wallet says what became of that order (`GET /api/user/topup/self?keyword=`). The order's status, not the
 * return itself, says whether it was paid: the return URL proves nothing.
 */
import { useI18n } from "../i18n/context.ts";
import { asPage } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import type { TopUpOrder } from "./TopUpOrders.tsx";

export function TopUpResult({ tradeNo }: { tradeNo: string }) {
  const { t } = useI18n();
  const found = useApiGet<unknown>(`/api/user/topup/self?keyword=${encodeURIComponent(tradeNo)}`);
  if (!found.result?.ok) return null;
  const order = asPage<TopUpOrder>(found.result.data, 1, 10).items.find((o) => o.trade_no === tradeNo);
  if (!order) return null;
  const paid = order.status === "success";
  return (
    <p class={`notice ${paid ? "notice-ok" : "notice-muted"}`} role="status" data-order-status={order.status}>
      {t(
        paid
          ? "topup.result_paid"
          : order.status === "pending"
          ? "topup.result_pending"
          : "topup.result_failed",
        {
          trade_no: tradeNo,
        },
      )}
    </p>
  );
}
