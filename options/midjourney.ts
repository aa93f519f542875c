/**
 * New API's Midjourney options this gateway acts on (setting/midjourney.go): whether a change needs its
 * original task to have succeeded, and whether image URLs are answered as this site's `/mj/image/{id}`.
 */
import { boolOption, type OptionDef } from "./registry.ts";

export const midjourneyOptions: OptionDef[] = [
  boolOption("MjActionCheckSuccessEnabled", true),
  boolOption("MjForwardUrlEnabled", true),
];
