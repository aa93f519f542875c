/**
 * Reads a MySQL `SQL_DSN` in either form New API deployments use: the Go driver's
 * `user:pass@tcp(host:port)/db?parseTime=true&loc=Local` (New API's and One API's own form) or a
 * `mysql://user:pass@host:port/db` URL, into the connection options the driver takes.
 */

export interface MysqlConnectionOptions {
  user: string;
  password: string;
  /** Absent when `socketPath` is set. */
  host?: string;
  port?: number;
  socketPath?: string;
  database: string;
  /** The `charset` parameter (first of a comma list), e.g. `utf8mb4`; undefined means the driver's. */
  charset?: string;
  /** `loc`: "local" for `Local`, "Z" for UTC (the Go driver's default), else the zone name as given. */
  timezone: string;
  /** True when `tls`/`ssl` asks for TLS. */
  tls: boolean;
}

export class MysqlDsnError extends Error {
  override name = "MysqlDsnError";
}

/** True when `dsn` is written in one of the MySQL forms (whether or not it is valid). */
export function looksLikeMysqlDsn(dsn: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dsn)) return /^mysql:\/\//i.test(dsn);
  return /@(tcp|unix)\(|^(tcp|unix)\(|^[^/:]*(:[^@]*)?@\//.test(dsn);
}

function fromParams(params: URLSearchParams): Pick<MysqlConnectionOptions, "charset" | "timezone" | "tls"> {
  const charset = params.get("charset")?.split(",")[0]?.trim() || undefined;
  const loc = params.get("loc");
  const timezone = !loc || loc === "UTC" ? "Z" : loc === "Local" ? "local" : loc;
  const tlsValue = (params.get("tls") ?? params.get("ssl") ?? "").toLowerCase();
  const tls = tlsValue !== "" && tlsValue !== "false" && tlsValue !== "0";
  return { charset, timezone, tls };
}

function parseHostPort(addr: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  const colon = addr.lastIndexOf(":");
  if (colon > 0 && addr.indexOf(":") === colon) {
    const port = Number(addr.slice(colon + 1));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new MysqlDsnError(`port "${addr.slice(colon + 1)}" is not a port number`);
    }
    return { host: addr.slice(0, colon), port };
  }
  return { host: addr || "127.0.0.1", port: defaultPort };
}

/** The Go driver's form: `[user[:pass]@][net[(addr)]]/dbname[?params]`, split the way that driver does. */
function parseGoDsn(dsn: string): MysqlConnectionOptions {
  // The database name follows the last '/' (as in the Go driver), so a password may hold '@', ':' and '/'.
  const slash = dsn.lastIndexOf("/");
  if (slash < 0) throw new MysqlDsnError("missing '/' before the database name");
  let head = dsn.slice(0, slash);
  const tail = dsn.slice(slash + 1);
  const q = tail.indexOf("?");
  const database = decodeURIComponent(q < 0 ? tail : tail.slice(0, q));
  const params = new URLSearchParams(q < 0 ? "" : tail.slice(q + 1));
  // The credentials end at the last '@', so a password may hold '@'; the user name ends at the first ':'.
  let user = "";
  let password = "";
  const at = head.lastIndexOf("@");
  if (at >= 0) {
    const cred = head.slice(0, at);
    head = head.slice(at + 1);
    const colon = cred.indexOf(":");
    user = colon < 0 ? cred : cred.slice(0, colon);
    password = colon < 0 ? "" : cred.slice(colon + 1);
  }
  const net = /^(\w*)(?:\((.*)\))?$/.exec(head);
  if (!net) {
    throw new MysqlDsnError(`cannot read the address "${head}" (expected tcp(host:port) or unix(/path))`);
  }
  const kind = net[1] || "tcp";
  const addr = net[2] ?? "";
  const common = { user, password, database, ...fromParams(params) };
  if (kind === "unix") {
    if (!addr) throw new MysqlDsnError("unix() needs a socket path");
    return { ...common, socketPath: addr };
  }
  if (kind !== "tcp" && kind !== "tcp6") throw new MysqlDsnError(`unknown network "${kind}"`);
  return { ...common, ...parseHostPort(addr || "127.0.0.1:3306", 3306) };
}

function parseUrl(dsn: string): MysqlConnectionOptions {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new MysqlDsnError("not a valid URL (expected mysql://user:pass@host:3306/db)");
  }
  if (!url.hostname) throw new MysqlDsnError("no host (expected mysql://user:pass@host:3306/db)");
  return {
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : 3306,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")),
    ...fromParams(url.searchParams),
  };
}

/** Parses either form; throws MysqlDsnError with a password-free reason. */
export function parseMysqlDsn(dsn: string): MysqlConnectionOptions {
  const options = /^mysql:\/\//i.test(dsn) ? parseUrl(dsn) : parseGoDsn(dsn);
  if (!options.database) throw new MysqlDsnError("no database name after '/'");
  return options;
}

/** Where the DSN points, without its password, for error messages. */
export function describeMysqlDsn(options: MysqlConnectionOptions): string {
  const where = options.socketPath ?? `${options.host}:${options.port}`;
  return `${where}/${options.database}`;
}
