import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startFakeSmtp, testCa } from "../support/fake_smtp.ts";
import { type EmailSettings, sendEmail } from "../../notify/email.ts";
import { plainLoginAllowed, sendMail, SmtpError } from "../../notify/smtp.ts";
import type { Notice } from "../../notify/notice.ts";

const notice: Notice = {
  type: "quota_exceed",
  title: "Quota low — 额度即将用尽",
  content: "Left: {{value}} <b>{{value}}</b>",
  values: ["$1.00", "<script>"],
};

const settings = (port: number, extra: Partial<EmailSettings> = {}): EmailSettings => ({
  server: "127.0.0.1",
  port,
  account: "bot@hooks.test",
  token: "pw-secret-1",
  from: "bot@hooks.test",
  systemName: "New API",
  caCerts: [testCa],
  ...extra,
});

const fromBase64 = (b64: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

function parts(data: string) {
  const [head, ...body] = data.split("\r\n\r\n");
  const subject = head.match(/^Subject: =\?UTF-8\?B\?([^?]+)\?=$/m)?.[1];
  return {
    head,
    subject: subject && fromBase64(subject),
    html: fromBase64(body.join("").replace(/\r\n/g, "")),
  };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

Deno.test("mail goes out over STARTTLS with AUTH PLAIN: UTF-8 subject, escaped HTML, every recipient", async () => {
  const smtp = await startFakeSmtp({ starttls: true, user: "bot@hooks.test", password: "pw-secret-1" });
  try {
    await sendEmail(settings(smtp.port), "alice@example.com; bob@example.com", notice);
    assertEquals(smtp.mails.length, 1);
    const mail = smtp.mails[0];
    assertEquals(mail.tls, true);
    assertEquals(mail.user, "bot@hooks.test");
    assertEquals(mail.from, "bot@hooks.test");
    assertEquals(mail.to, ["alice@example.com", "bob@example.com"]);
    const { head, subject, html } = parts(mail.data);
    assertEquals(subject, notice.title);
    assertEquals(html, "Left: $1.00 <b>&#60;script&#62;</b>");
    assertStringIncludes(head, "Content-Type: text/html; charset=UTF-8");
    const authAt = smtp.commands.findIndex((c) => c.startsWith("AUTH"));
    assert(authAt > smtp.commands.indexOf("STARTTLS"), "credentials only after the TLS upgrade");
  } finally {
    await smtp.close();
  }
});

Deno.test("implicit TLS (SMTPSSLEnabled) with forced AUTH LOGIN", async () => {
  const smtp = await startFakeSmtp({ implicitTls: true, user: "bot@hooks.test", password: "pw-secret-1" });
  try {
    await sendEmail(
      settings(smtp.port, { sslEnabled: true, forceAuthLogin: true }),
      "carol@example.com",
      notice,
    );
    assertEquals(smtp.mails.length, 1);
    assertEquals(smtp.mails[0].tls, true);
    assert(smtp.commands.includes("AUTH LOGIN"));
  } finally {
    await smtp.close();
  }
});

Deno.test("a rejected login fails without the password in the error; an untrusted certificate fails", async () => {
  const smtp = await startFakeSmtp({ starttls: true, user: "bot@hooks.test", password: "other" });
  try {
    const err = await errorOf(sendEmail(settings(smtp.port), "alice@example.com", notice));
    assert(err instanceof SmtpError);
    assertStringIncludes(err.message, "AUTH PLAIN: 535");
    assertEquals(err.message.includes("pw-secret-1"), false);
    const untrusted = await errorOf(
      sendEmail(settings(smtp.port, { caCerts: [] }), "alice@example.com", notice),
    );
    assert(untrusted instanceof SmtpError, String(untrusted));
    assertEquals(smtp.mails.length, 0);
  } finally {
    await smtp.close();
  }
});

Deno.test("plain-text login only to this machine; lines starting with a dot survive", async () => {
  assertEquals(plainLoginAllowed("localhost"), true);
  assertEquals(plainLoginAllowed("127.0.0.1"), true);
  assertEquals(plainLoginAllowed("::1"), true);
  assertEquals(plainLoginAllowed("smtp.example.com"), false);
  assertEquals(plainLoginAllowed("10.0.0.5"), false);
  const smtp = await startFakeSmtp({ user: "u@hooks.test", password: "p" });
  try {
    const cfg = { server: "127.0.0.1", port: smtp.port, account: "u@hooks.test", token: "p" };
    await sendMail(cfg, "u@hooks.test", ["x@example.com"], "Subject: t\r\n\r\n.hidden\r\nlast\r\n");
    assertEquals(smtp.mails[0].data, "Subject: t\r\n\r\n.hidden\r\nlast");
    assertEquals(smtp.mails[0].tls, false);
  } finally {
    await smtp.close();
  }
});

Deno.test("invalid receivers are refused before connecting", async () => {
  const err = await errorOf(sendEmail(settings(1), "not an address", notice));
  assertStringIncludes(err.message, "invalid email receiver");
  const injected = await errorOf(sendEmail(settings(1), "a@example.com\r\nBcc: x@example.com", notice));
  assertStringIncludes(injected.message, "invalid email receiver");
});
