/**
 * Notification mail: an HTML message with a UTF-8 subject, sent through the site's SMTP settings
 * (New API's `SMTPServer`, `SMTPPort`, `SMTPAccount`, `SMTPFrom`, `SMTPToken`, `SMTPSSLEnabled`,
 * `SMTPForceAuthLogin` options). Header values are refused if they could inject headers.
 */
import { type Notice, renderContent } from "./notice.ts";
import { base64Utf8, sendMail, type SmtpConfig } from "./smtp.ts";
import { DeliveryError } from "./delivery_error.ts";

export interface EmailSettings extends SmtpConfig {
  /** Sender address; New API falls back to the account. */
  from: string;
  /** Display name (New API's SystemName). */
  systemName: string;
}

const mailbox = /^[^\s@<>()",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Whether `address` is one plain mailbox (`user@host`), as notification settings accept it. */
export function isMailbox(address: string): boolean {
  return mailbox.test(address);
}

/** Splits New API's `;`-separated receiver list and validates every address. */
export function parseRecipients(receiver: string): string[] {
  const list = receiver.split(";").map((r) => r.trim()).filter(Boolean);
  if (!list.length || list.some((r) => !mailbox.test(r))) {
    throw new DeliveryError("invalid email receiver", false);
  }
  return list;
}

function wrap76(text: string): string {
  return text.replace(/(.{76})/g, "$1\r\n");
}

/** The full message text (CRLF line ends). */
export function buildEmail(
  settings: EmailSettings,
  to: string[],
  subject: string,
  html: string,
  now = new Date(),
) {
  if (/[\r\n]/.test(subject + settings.systemName + settings.from)) {
    throw new DeliveryError("email headers must not contain line breaks", false);
  }
  if (!mailbox.test(settings.from)) throw new DeliveryError("invalid SMTP sender address", false);
  const domain = settings.from.split("@")[1].toLowerCase();
  const id = `<${Date.now()}.${crypto.randomUUID().slice(0, 12)}@${domain}>`;
  return [
    `To: ${to.join(", ")}`,
    `From: =?UTF-8?B?${base64Utf8(settings.systemName)}?= <${settings.from}>`,
    `Subject: =?UTF-8?B?${base64Utf8(subject)}?=`,
    `Date: ${now.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${id}`,
    "MIME-Version: 1.0",
    "Content-Type: text/html; charset=UTF-8",
    "Content-Transfer-Encoding: base64",
    "",
    wrap76(base64Utf8(html)),
    "",
  ].join("\r\n");
}

export async function sendEmail(settings: EmailSettings, receiver: string, notice: Notice): Promise<void> {
  const to = parseRecipients(receiver);
  const from = settings.from || settings.account;
  const message = buildEmail({ ...settings, from }, to, notice.title, renderContent(notice, true));
  await sendMail(settings, from, to, message);
}
