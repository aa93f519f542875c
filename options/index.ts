/** Every declared option. Add an area's module here (one line); the registry refuses duplicate keys. */
import { OptionRegistry } from "./registry.ts";
import { generalOptions } from "./general.ts";
import { relayOptions } from "./relay.ts";
import { billingOptions } from "./billing.ts";

export const optionRegistry = new OptionRegistry([...generalOptions, ...relayOptions, ...billingOptions]);
