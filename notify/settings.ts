/**
 * The Notifier's view of the site options, read at each delivery so an admin's change applies at once:
 * SMTP (New API's `SMTP*` options) and `fetch_setting.*` for webhook-style receivers.
 */
import type { Catalog } from "../store/cache/catalog.ts";
import type { EmailSettings } from "./email.ts";
import { type FetchSetting, parseFetchSetting } from "../net/fetch_setting.ts";
import { optionRegistry } from "../options/index.ts";

/** The SMTP settings, or null when no server is configured. */
export function emailSettings(catalog: Catalog): EmailSettings | null {
  const server = optionRegistry.string(catalog, "SMTPServer").trim();
  if (!server) return null;
  return {
    server,
    port: optionRegistry.int(catalog, "SMTPPort"),
    account: optionRegistry.string(catalog, "SMTPAccount"),
    token: optionRegistry.string(catalog, "SMTPToken"),
    sslEnabled: optionRegistry.bool(catalog, "SMTPSSLEnabled"),
    forceAuthLogin: optionRegistry.bool(catalog, "SMTPForceAuthLogin"),
    from: optionRegistry.string(catalog, "SMTPFrom"),
    systemName: optionRegistry.string(catalog, "SystemName"),
  };
}

/** `fetch_setting.*` as stored (undeclared keys included). */
export function fetchSetting(catalog: Catalog): FetchSetting {
  return parseFetchSetting(Object.fromEntries(catalog.options()));
}
