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

/** What New API's formatUserLogs takes out of a user's `other`: admin diagnostics, audit, stream status. */
const HIDDEN_FROM_USERS = ["admin_info", "audit_info", "stream_status"];

/** `other` as its owner may see it, as an object (empty when there is nothing to show). */
function userOther(other: string): Record<string, unknown> {
  if (!other) return {};
  try {
    const parsed = JSON.parse(other);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    for (const key of HIDDEN_FROM_USERS) delete parsed[key];
    return parsed;
  } catch {
    return {};
  }
}

/** An error row's content as its owner sees it: what they were told, never the upstream's text. */
function userContent(l: LogRow, other: Record<string, unknown>): string {
  if (l.type !== LogType.error) return l.content;
  const told = other.client_message;
  // Rows written before `client_message` existed (or adopted from New API) hold the upstream's text.
  return typeof told === "string" && told ? told : "The upstream request failed";
}

/**
 * New API's user log row (model.formatUserLogs): the whole `Log` about the caller's own request, with the
 * channel name emptied, `other` a JSON string without admin_info, audit_info or stream_status, and the id
 * reduced modulo 1024 so totals do not leak. An error row's content is the message the caller got (the
 * admin's view keeps the upstream text).
 */
export function userLogItem(l: LogRow) {
  const other = userOther(l.other);
  const content = userContent(l, other);
  delete other.client_message;
  return {
    ...adminLogItem(l, ""),
    id: l.id % 1024,
    content,
    other: Object.keys(other).length ? JSON.stringify(other) : "",
  };
}
