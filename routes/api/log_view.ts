/** How log rows are shown: in full to admins, and to their owners without admin-only details. */
import type { LogRow } from "../../store/logs.ts";

/** New API's admin `Log` JSON (`other` stays a string, `channel` is the channel id). */
export function adminLogItem(l: LogRow, channelName = "") {
  return {
    id: l.id,
    user_id: l.userId,
    created_at: l.createdAt,
    type: l.type,
    content: l.content,
    username: l.username,
    token_name: l.tokenName,
    model_name: l.modelName,
    quota: l.quota,
    prompt_tokens: l.promptTokens,
    completion_tokens: l.completionTokens,
    use_time: l.useTime,
    is_stream: l.isStream,
    channel: l.channelId,
    channel_name: channelName,
    token_id: l.tokenId,
    group: l.group,
    ip: l.ip,
    other: l.other,
    request_id: l.requestId,
  };
}

/** `other` without `admin_info` (channels tried, saturation and shortfall audits), as an object. */
export function userOther(other: string): Record<string, unknown> | undefined {
  if (!other) return undefined;
  try {
    const parsed = JSON.parse(other);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    delete parsed.admin_info;
    return Object.keys(parsed).length ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** New API's user log DTO: no channel, no IP, the id reduced modulo 1024 so totals do not leak. */
export function userLogItem(l: LogRow) {
  return {
    id: l.id % 1024,
    created_at: l.createdAt,
    type: l.type,
    content: l.content,
    token_name: l.tokenName,
    model_name: l.modelName,
    channel_name: "",
    quota: l.quota,
    prompt_tokens: l.promptTokens,
    completion_tokens: l.completionTokens,
    use_time: l.useTime,
    is_stream: l.isStream,
    group: l.group,
    request_id: l.requestId,
    other: userOther(l.other),
  };
}
