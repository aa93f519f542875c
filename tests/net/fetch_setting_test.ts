import { assertEquals } from "../support/assert.ts";
import { checkUrl, defaultFetchSetting, parseFetchSetting } from "../../net/fetch_setting.ts";

Deno.test("fetch_setting options parse as New API stores them, with its defaults", () => {
  assertEquals(parseFetchSetting({}), defaultFetchSetting);
  const s = parseFetchSetting({
    "fetch_setting.enable_ssrf_protection": "true",
    "fetch_setting.allow_private_ip": "true",
    "fetch_setting.domain_filter_mode": "true",
    "fetch_setting.domain_list": '["hooks.example.com","*.corp.example"]',
    "fetch_setting.ip_list": "10.0.0.0/8, 192.168.1.5",
    "fetch_setting.allowed_ports": '["443","8000-9000"]',
    "fetch_setting.apply_ip_filter_for_domain": "not-a-bool",
  });
  assertEquals(s.allowPrivateIp, true);
  assertEquals(s.domainList, ["hooks.example.com", "*.corp.example"]);
  assertEquals(s.ipList, ["10.0.0.0/8", "192.168.1.5"]);
  assertEquals(s.allowedPorts, ["443", "8000-9000"]);
  assertEquals(s.applyIpFilterForDomain, false);
});

Deno.test("URL checks: port ranges, wildcard domains, and protection off lets everything through", () => {
  const s = {
    ...defaultFetchSetting,
    allowedPorts: ["443", "8000-9000"],
    domainFilterMode: true,
    domainList: ["*.corp.example"],
  };
  assertEquals(typeof checkUrl(new URL("https://a.corp.example/"), s), "object");
  assertEquals(typeof checkUrl(new URL("https://corp.example:8500/"), s), "object");
  assertEquals(checkUrl(new URL("https://corp.example:9001/"), s), "port 9001 is not allowed");
  assertEquals(
    checkUrl(new URL("https://evilcorp.example/"), s),
    "host evilcorp.example is not in the allowed list",
  );
  const off = { ...defaultFetchSetting, enableSsrfProtection: false };
  assertEquals(typeof checkUrl(new URL("http://127.0.0.1:22/"), off), "object");
});
