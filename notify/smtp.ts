/**
 * A small SMTP client for notification mail: implicit TLS (port 465 or `sslEnabled`), otherwise
 * STARTTLS whenever the server offers it; AUTH PLAIN, or LOGIN when forced or the only one offered.
 * Like New API it refuses to send credentials over plain text to anything but a local server. The
 * server is admin-configured (options), so it is not routed through the SSRF guard.
 */
import { parseIpRangeList } from "../net/ip_ranges.ts";

export interface SmtpConfig {
  server: string;
  port: number;
  account: string;
  /** Password or app token. */
  token: string;
  sslEnabled?: boolean;
  forceAuthLogin?: boolean;
  /** Extra trusted CA certificates in PEM (tests, private CAs). */
  caCerts?: string[];
  /** Whole session (default 30 s). */
  timeoutMs?: number;
}

export class SmtpError extends Error {
  override name = "SmtpError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads SMTP replies (multi-line `250-...` up to `250 ...`) from a connection. */
class ReplyReader {
  #buffer = "";
  #conn: Deno.Conn;
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async #line(): Promise<string> {
    for (;;) {
      const at = this.#buffer.indexOf("\r\n");
      if (at >= 0) {
        const line = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 2);
        return line;
      }
      const chunk = new Uint8Array(4096);
      const n = await this.#conn.read(chunk);
      if (n === null) throw new SmtpError("connection closed by the SMTP server");
      this.#buffer += decoder.decode(chunk.subarray(0, n));
      if (this.#buffer.length > 65536) throw new SmtpError("SMTP reply too long");
    }
  }

  async reply(): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.#line();
      lines.push(line.slice(4));
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), lines };
    }
  }
}

/** Base64 of the UTF-8 bytes (what SMTP AUTH and encoded-word headers need). */
export function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const loopback = parseIpRangeList("loopback", "loopback");

/** May credentials cross this server connection without TLS? Only to this machine. */
export function plainLoginAllowed(server: string): boolean {
  return server.toLowerCase() === "localhost" || loopback.matches(server);
}

/** Sends one message (`data` is the full RFC 5322 text with CRLF line ends) to `to`. */
export async function sendMail(config: SmtpConfig, from: string, to: string[], data: string): Promise<void> {
  const implicitTls = config.sslEnabled || config.port === 465;
  const tlsOptions = { hostname: config.server, caCerts: config.caCerts };
  let conn: Deno.Conn = implicitTls
    ? await Deno.connectTls({ ...tlsOptions, port: config.port })
    : await Deno.connect({ hostname: config.server, port: config.port });
  const timer = setTimeout(() => conn.close(), config.timeoutMs ?? 30_000);
  let reader = new ReplyReader(conn);
  // `label` names the step in errors, so credentials and message text never reach a log.
  const command = async (line: string, expect: number[], label = line) => {
    await conn.write(encoder.encode(`${line}\r\n`));
    const reply = await reader.reply();
    if (!expect.includes(reply.code)) {
      throw new SmtpError(`SMTP ${label}: ${reply.code} ${reply.lines.join(" ")}`);
    }
    return reply;
  };
  try {
    const greeting = await reader.reply();
    if (greeting.code !== 220) {
      throw new SmtpError(`SMTP greeting: ${greeting.code} ${greeting.lines.join(" ")}`);
    }
    let ehlo = await command("EHLO newapi-deno", [250]);
    let tls = implicitTls;
    if (!tls && ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) {
      await command("STARTTLS", [220]);
      conn = await Deno.startTls(conn as Deno.TcpConn, tlsOptions);
      reader = new ReplyReader(conn);
      tls = true;
      ehlo = await command("EHLO newapi-deno", [250]);
    }
    if (config.account) {
      if (!tls && !plainLoginAllowed(config.server)) {
        throw new SmtpError(
          `SMTP server ${config.server} does not offer STARTTLS; refusing plain-text login`,
        );
      }
      const auth = ehlo.lines.find((l) => /^AUTH\b/i.test(l))?.toUpperCase().split(/\s+/) ?? [];
      if (config.forceAuthLogin || (auth.includes("LOGIN") && !auth.includes("PLAIN"))) {
        await command("AUTH LOGIN", [334]);
        await command(base64Utf8(config.account), [334], "AUTH LOGIN user");
        await command(base64Utf8(config.token), [235], "AUTH LOGIN password");
      } else {
        await command(
          `AUTH PLAIN ${base64Utf8(`\0${config.account}\0${config.token}`)}`,
          [235],
          "AUTH PLAIN",
        );
      }
    }
    await command(`MAIL FROM:<${from}>`, [250], "MAIL FROM");
    for (const rcpt of to) await command(`RCPT TO:<${rcpt}>`, [250, 251], "RCPT TO");
    await command("DATA", [354]);
    const body = data.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    await command(`${body}${body.endsWith("\r\n") ? "" : "\r\n"}.`, [250], "message");
    await command("QUIT", [221]).catch(() => {/* the message is already accepted */});
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw new SmtpError(`SMTP ${config.server}:${config.port}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed by the timeout */ }
  }
}
