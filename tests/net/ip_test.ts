import { assertEquals } from "../support/assert.ts";
import { formatIp, IpMatcher, parseCidr, parseIp } from "../../net/ip.ts";
import { isPublicIp } from "../../net/ip_ranges.ts";

const show = (text: string) => {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : null;
};

Deno.test("addresses parse strictly and print canonically", () => {
  assertEquals(show("192.0.2.1"), "192.0.2.1");
  assertEquals(show("::ffff:127.0.0.1"), "127.0.0.1", "IPv4-mapped is IPv4");
  assertEquals(show("::ffff:7f00:1"), "127.0.0.1");
  assertEquals(show("[2001:DB8:0:0:1:0:0:1]"), "2001:db8::1:0:0:1");
  assertEquals(show("fe80::1%eth0"), "fe80::1");
  assertEquals(show("64:ff9b::10.0.0.1"), "64:ff9b::a00:1");
  assertEquals(show("::"), "::");
  for (
    const bad of ["1.2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4:80", "1::2::3", "1:2:3:4:5:6:7:8:9", "x", ""]
  ) {
    assertEquals(show(bad), null, bad);
  }
});

Deno.test("IPv4 ranges match the mapped IPv6 form of their addresses, and v6 ranges stay v6", () => {
  const m = IpMatcher.parse("10.0.0.0/8, 2001:db8::/32, 192.0.2.7").matcher;
  for (const ip of ["10.200.1.1", "::ffff:10.0.0.1", "2001:db8:1::5", "192.0.2.7"]) {
    assertEquals(m.matches(ip), true, ip);
  }
  for (const ip of ["11.0.0.1", "192.0.2.8", "2001:db9::1", "::a00:1", "garbage"]) {
    assertEquals(m.matches(ip), false, ip);
  }
  assertEquals(parseCidr("10.0.0.0/33"), null);
  assertEquals(parseCidr("::/129"), null);
  assertEquals(parseCidr("10.1.2.3/8")!.prefix, 104);
});

Deno.test("special-purpose addresses are not public, including IPv6 forms that carry them", () => {
  const blocked = [
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "fe80::1",
    "fc00::1",
    "fd12::1",
    "ff02::1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "2002:a00:1::1",
    "2001::1",
    "2001:db8::1",
    "64:ff9b:1::1",
  ];
  for (const text of blocked) assertEquals(isPublicIp(parseIp(text)!), false, text);
  const open = [
    "1.1.1.1",
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "64:ff9b::808:808",
    "2002:808:808::",
  ];
  for (const text of open) assertEquals(isPublicIp(parseIp(text)!), true, text);
});
