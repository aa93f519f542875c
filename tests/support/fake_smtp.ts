/**
 * A small SMTP server for tests, speaking enough of RFC 5321 for our client: EHLO, STARTTLS (a real
 * TLS upgrade with the `hooks.test` test certificate), AUTH PLAIN and LOGIN, MAIL/RCPT/DATA with dot
 * unstuffing, QUIT. Implicit TLS (port-465 style) when `implicitTls` is set. It records what it got.
 */
import net from "node:net";
import tls from "node:tls";
import { Buffer } from "node:buffer";

const fixtures = new URL("../net/fixtures/", import.meta.url);
export const testCa = Deno.readTextFileSync(new URL("test_ca_cert.pem", fixtures));
const cert = Deno.readTextFileSync(new URL("hooks_test_cert.pem", fixtures));
const key = Deno.readTextFileSync(new URL("hooks_test_key.pem", fixtures));

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  user?: string;
  tls: boolean;
}

export interface FakeSmtpOptions {
  starttls?: boolean;
  implicitTls?: boolean;
  /** Mechanisms to advertise (default PLAIN and LOGIN). */
  auth?: string[];
  user?: string;
  password?: string;
}

export interface FakeSmtp {
  port: number;
  mails: ReceivedMail[];
  /** Every command line received, with AUTH payloads as sent (tests check no plain-text login). */
  commands: string[];
  close(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const mechanisms = options.auth ?? ["PLAIN", "LOGIN"];

  const session = (raw: net.Socket, secure: boolean) => {
    sockets.add(raw);
    const socket: net.Socket = raw;
    let buffer = "";
    let mail: Partial<ReceivedMail> = {};
    let data: string[] | null = null;
    let login: "user" | "password" | null = null;
    let loginUser = "";
    let user: string | undefined;
    let handedOver = false;
    const say = (line: string) => socket.write(`${line}\r\n`);
    const authOk = (u: string, p: string) => {
      if (u === options.user && p === options.password) {
        user = u;
        say("235 2.7.0 Authentication successful");
      } else say("535 5.7.8 Authentication failed");
    };
    const onLine = (line: string) => {
      if (data) {
        if (line === ".") {
          mails.push({ from: mail.from!, to: mail.to ?? [], data: data.join("\r\n"), user, tls: secure });
          data = null;
          mail = {};
          say("250 2.0.0 queued");
        } else data.push(line.startsWith("..") ? line.slice(1) : line);
        return;
      }
      commands.push(line);
      if (login === "user") {
        loginUser = b64(line);
        login = "password";
        return say("334 UGFzc3dvcmQ6");
      }
      if (login === "password") {
        login = null;
        return authOk(loginUser, b64(line));
      }
      const verb = line.split(" ")[0].toUpperCase();
      if (verb === "EHLO") {
        const ext = [...(options.starttls && !secure ? ["STARTTLS"] : []), `AUTH ${mechanisms.join(" ")}`];
        return say(
          ["250-fake.smtp", ...ext.map((e, i) => `250${i === ext.length - 1 ? " " : "-"}${e}`)].join("\r\n"),
        );
      }
      if (verb === "STARTTLS" && options.starttls && !secure) {
        say("220 2.0.0 Ready to start TLS");
        socket.removeAllListeners("data");
        handedOver = true;
        const upgraded = new tls.TLSSocket(raw, { isServer: true, key, cert });
        upgraded.on("error", () => {});
        session(upgraded as unknown as net.Socket, true);
        return;
      }
      if (verb === "AUTH") {
        const [, mech, arg] = line.split(" ");
        if (mech?.toUpperCase() === "PLAIN" && arg) {
          const [, u, p] = b64(arg).split("\0");
          return authOk(u, p);
        }
        if (mech?.toUpperCase() === "LOGIN") {
          login = "user";
          return say("334 VXNlcm5hbWU6");
        }
        return say("504 unrecognised mechanism");
      }
      if (verb === "MAIL") {
        mail.from = line.match(/<([^>]*)>/)?.[1];
        return say("250 2.1.0 ok");
      }
      if (verb === "RCPT") {
        (mail.to ??= []).push(line.match(/<([^>]*)>/)![1]);
        return say("250 2.1.5 ok");
      }
      if (verb === "DATA") {
        data = [];
        return say("354 end with .");
      }
      if (verb === "QUIT") {
        say("221 bye");
        return socket.end();
      }
      say("502 command not implemented");
    };
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let at;
      while ((at = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        onLine(line);
        if (handedOver) return;
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(raw));
    if (!secure || options.implicitTls) say("220 fake.smtp ESMTP ready");
  };

  const server = options.implicitTls
    ? tls.createServer({ key, cert }, (s) => session(s, true))
    : net.createServer((s) => session(s, false));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    mails,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
