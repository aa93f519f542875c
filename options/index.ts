/** Every declared option. Add an area's module here (one line); the registry refuses duplicate keys. */
import { OptionRegistry } from "./registry.ts";
import { generalOptions } from "./general.ts";
import { relayOptions } from "./relay.ts";
import { billingOptions } from "./billing.ts";
import { groupOptions } from "./groups.ts";
import { accountOptions } from "./accounts.ts";
import { limitOptions } from "./limits.ts";
import { notifyOptions } from "./notify.ts";
import { modelSettingOptions } from "./model_settings.ts";
import { chatOptions } from "./chats.ts";
import { fetchSettingOptions } from "./fetch_setting.ts";
import { notActedOnOptions } from "./not_acted_on.ts";
import { siteDisplayOptions } from "./site_display.ts";
import { paymentOptions } from "./payments.ts";
import { checkinOptions } from "./checkin.ts";
import { oauthOptions } from "./oauth.ts";
import { midjourneyOptions } from "./midjourney.ts";

export const optionRegistry = new OptionRegistry([
  ...generalOptions,
  ...relayOptions,
  ...billingOptions,
  ...groupOptions,
  ...accountOptions,
  ...limitOptions,
  ...notifyOptions,
  ...modelSettingOptions,
  ...chatOptions,
  ...fetchSettingOptions,
  ...siteDisplayOptions,
  ...paymentOptions,
  ...checkinOptions,
  ...oauthOptions,
  ...midjourneyOptions,
  ...notActedOnOptions,
]);
