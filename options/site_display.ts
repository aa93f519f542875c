/**
 * New API's texts and switches that its front-ends read from `GET /api/status` (console panels, currency
 * display, docs and top-up links, sidebar default): this gateway serves them there, as New API does.
 */
import { boolOption, floatOption, jsonOption, type OptionDef } from "./registry.ts";

const text = (key: string, value = ""): OptionDef => ({ key, default: value });

export const siteDisplayOptions: OptionDef[] = [
  jsonOption("console_setting.announcements", []),
  boolOption("console_setting.announcements_enabled", true),
  jsonOption("console_setting.api_info", []),
  boolOption("console_setting.api_info_enabled", true),
  jsonOption("console_setting.faq", []),
  boolOption("console_setting.faq_enabled", true),
  floatOption("general_setting.custom_currency_exchange_rate", 1),
  text("general_setting.custom_currency_symbol", "¤"),
  text("general_setting.docs_link", "https://docs.newapi.pro"),
  boolOption("DefaultCollapseSidebar", false),
  text("TopUpLink"),
];
