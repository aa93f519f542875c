/** How log rows are shown: in full to admins, and to their owners without admin-only details. */
import { type LogRow, LogType } from "../../store/logs.ts";

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

/** An error row's content as its owner sees it: what they were told, never the upstream's text. */
function userContent(l: LogRow, other: Record<string, unknown> | undefined): string {
  if (l.type !== LogType.error) return l.content;
  const told = other?.client_message;
  // Rows written before `client_message` existed (or adopted from New API) hold the upstream's text.
  return typeof told === "string" && told ? told : "The upstream request failed";
}

/**
 * New API's user log DTO: no channel, no IP, the id reduced modulo 1024 so totals do not leak, and an
 * error row's content replaced by the message the caller got (the admin's view keeps the upstream text).
 */
export function userLogItem(l: LogRow) {
  const other = userOther(l.other);
  const content = userContent(l, other);
  if (other) delete other.client_message;
  return {
    id: l.id % 1024,
    created_at: l.createdAt,
    type: l.type,
    content,
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
    other: other && Object.keys(other).length ? other : undefined,
  };
}
