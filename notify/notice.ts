/**
 * What a notification says, in New API's `dto.Notify` shape: a type (the throttle and webhook receivers
 * key on it), a title, and content with `{{value}}` placeholders filled from `values` in order.
 * Builders for the notices the gateway sends live here too.
 */
import type { NotifyType } from "./user_setting.ts";

export const noticeTypes = {
  quotaExceed: "quota_exceed",
  channelUpdate: "channel_update",
  channelTest: "channel_test",
} as const;

export interface Notice {
  type: string;
  title: string;
  content: string;
  values: (string | number)[];
}

/** Fills each `{{value}}` with the next value; escapes values for HTML when the content is HTML. */
export function renderContent(notice: Notice, html = false): string {
  let i = 0;
  return notice.content.replace(/\{\{value\}\}/g, () => {
    const v = i < notice.values.length ? String(notice.values[i++]) : "";
    return html ? escapeHtml(v) : v;
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * New API's rule: warn when the quota left after this charge is below the user's threshold (or the
 * site's `QuotaRemindThreshold` when the user set none).
 */
export function quotaBelowThreshold(
  quotaBefore: number,
  charged: number,
  userThreshold: number | undefined,
  siteThreshold: number,
): boolean {
  const threshold = userThreshold ? userThreshold : siteThreshold;
  return charged !== 0 && quotaBefore - charged < threshold;
}

/** The quota warning, worded for how it will be delivered (Bark and Gotify get plain short text). */
export function quotaWarningNotice(remaining: string, topUpLink: string, via: NotifyType): Notice {
  const title = "Your quota is running low";
  if (via === "bark") {
    return {
      type: noticeTypes.quotaExceed,
      title,
      content: "Remaining quota: {{value}}. Please top up.",
      values: [remaining],
    };
  }
  if (via === "gotify") {
    return {
      type: noticeTypes.quotaExceed,
      title,
      content: "Remaining quota: {{value}}. Top up at {{value}}",
      values: [remaining, topUpLink],
    };
  }
  return {
    type: noticeTypes.quotaExceed,
    title,
    content: "Your remaining quota is {{value}}. To keep your service running, please top up.<br/>" +
      "Top-up link: <a href='{{value}}'>{{value}}</a>",
    values: [remaining, topUpLink, topUpLink],
  };
}

/** To the root user when a channel is disabled automatically. */
export function channelDisabledNotice(channelId: number, channelName: string, reason: string): Notice {
  return {
    type: noticeTypes.channelUpdate,
    title: `Channel "${channelName}" (#${channelId}) has been disabled`,
    content: 'Channel "{{value}}" (#{{value}}) has been disabled. Reason: {{value}}',
    values: [channelName, channelId, reason],
  };
}

/** To the root user when a disabled channel passes a test and is enabled again. */
export function channelEnabledNotice(channelId: number, channelName: string): Notice {
  return {
    type: noticeTypes.channelUpdate,
    title: `Channel "${channelName}" (#${channelId}) has been re-enabled`,
    content: 'Channel "{{value}}" (#{{value}}) has been re-enabled.',
    values: [channelName, channelId],
  };
}
