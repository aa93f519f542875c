import { assertEquals, assertThrows } from "../support/assert.ts";
import { looksLikeMysqlDsn, MysqlDsnError, parseMysqlDsn } from "../../store/mysql_dsn.ts";

Deno.test("New API's docker-compose DSN: user, password, host, port, database, charset, loc=Local", () => {
  assertEquals(
    parseMysqlDsn("root:123456@tcp(mysql:3306)/new-api?parseTime=true&charset=utf8mb4&loc=Local"),
    {
      user: "root",
      password: "123456",
      host: "mysql",
      port: 3306,
      database: "new-api",
      charset: "utf8mb4",
      timezone: "local",
      tls: false,
    },
  );
});

Deno.test("Go DSN without password or port: user@tcp(host)/db defaults to 3306 and UTC", () => {
  const o = parseMysqlDsn("oneapi@tcp(db.internal)/oneapi");
  assertEquals([o.user, o.password, o.host, o.port, o.database, o.timezone], [
    "oneapi",
    "",
    "db.internal",
    3306,
    "oneapi",
    "Z",
  ]);
});

Deno.test("Go DSN passwords may hold '@', ':' and '/'", () => {
  const o = parseMysqlDsn("app:p@ss:w/rd@tcp(10.0.0.5:3307)/prod?parseTime=true");
  assertEquals([o.user, o.password, o.host, o.port, o.database], [
    "app",
    "p@ss:w/rd",
    "10.0.0.5",
    3307,
    "prod",
  ]);
});

Deno.test("Go DSN over a unix socket", () => {
  const o = parseMysqlDsn("root:pw@unix(/run/mysqld/mysqld.sock)/newapi?charset=utf8mb4,utf8");
  assertEquals([o.socketPath, o.host, o.database, o.charset], [
    "/run/mysqld/mysqld.sock",
    undefined,
    "newapi",
    "utf8mb4",
  ]);
});

Deno.test("Go DSN with IPv6, a named zone and tls", () => {
  const o = parseMysqlDsn("u:p@tcp([::1]:3306)/db?loc=Asia%2FShanghai&tls=true");
  assertEquals([o.host, o.port, o.timezone, o.tls], ["::1", 3306, "Asia/Shanghai", true]);
});

Deno.test("mysql:// URL with percent-encoded password", () => {
  const o = parseMysqlDsn("mysql://admin:p%40ss%3Aword@db:3310/new_api?charset=utf8mb4");
  assertEquals([o.user, o.password, o.host, o.port, o.database, o.charset], [
    "admin",
    "p@ss:word",
    "db",
    3310,
    "new_api",
    "utf8mb4",
  ]);
  assertEquals(parseMysqlDsn("mysql://root@127.0.0.1/x").port, 3306);
});

Deno.test("broken MySQL DSNs are refused with a reason", () => {
  for (
    const [dsn, fragment] of [
      ["root:pw@tcp(db:3306)", "missing '/'"],
      ["root:pw@tcp(db:3306)/", "no database name"],
      ["root:pw@tcp(db:abc)/x", 'port "abc"'],
      ["root:pw@udp(db)/x", 'unknown network "udp"'],
      ["mysql:///x", "no host"],
    ]
  ) {
    const err = assertThrows(() => parseMysqlDsn(dsn), MysqlDsnError);
    assertEquals(err.message.includes(fragment), true, `${dsn}: ${err.message}`);
    assertEquals(err.message.includes("pw"), false, "no password in the message");
  }
});

Deno.test("only MySQL forms are recognised as MySQL; postgres URLs are not", () => {
  assertEquals(looksLikeMysqlDsn("root:pw@tcp(db:3306)/x"), true);
  assertEquals(looksLikeMysqlDsn("root@unix(/s)/x"), true);
  assertEquals(looksLikeMysqlDsn("root:pw@/x"), true);
  assertEquals(looksLikeMysqlDsn("mysql://h/x"), true);
  assertEquals(looksLikeMysqlDsn("postgres://u:p@h:5432/x"), false);
  assertEquals(looksLikeMysqlDsn("postgresql://u:p@tcp(h)/x"), false);
  assertEquals(looksLikeMysqlDsn("local"), false);
});
