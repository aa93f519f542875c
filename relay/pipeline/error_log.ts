/**
 * The admin's record of an upstream failure: a warning line and, when ERROR_LOG_ENABLED, an error row
 * (type 5). Both for attempts that failed before the answer started and for streams that broke after it.
 */
import type { RelayCtx } from "./context.ts";
import { log } from "../../server/logger.ts";

/**
 * `detail` (the admin's view) must already be redacted (`redactSecrets`); `clientMessage` is what the
 * caller was told, the only text its owner's view of the row shows (`routes/api/log_view.ts`).
 */
export function logUpstreamFailure(
  ctx: RelayCtx,
  channelId: number,
  detail: string,
  clientMessage: string,
  status = 0,
): void {
  const { deps, caller, parsed } = ctx;
  log.warn("upstream attempt failed", { requestId: ctx.requestId, channel: channelId, status, detail });
  deps.billing.recordError({
    requestId: ctx.requestId,
    user: caller!.user,
    token: caller!.token,
    model: parsed!.model,
    group: caller!.usingGroup,
    channelId,
    content: detail,
    clientMessage,
    isStream: parsed!.stream,
    useTimeSeconds: (performance.now() - ctx.startedAt) / 1000,
    useChannel: ctx.session!.channelsTried,
    statusCode: status || undefined,
  });
}
