/**
 * Body and query rules of the model-metadata and vendor routes (`/api/models/*`, `/api/vendors/*`), with
 * New API's field names. Keys New API's console echoes back (`bound_channels`, `model_count`, ...) are
 * ignored.
 */
import { z } from "zod";
import { bodyId, queryInt } from "./input.ts";

// NUL characters never get this far: readJson and the /api query guard refuse them (input.ts).
const text = (max: number) => z.string().max(max);
const name = text(128).transform((v) => v.trim());
const longText = text(65_535);
const flag = z.int().min(0).max(1_000_000);

export const modelBody = z.object({
  model_name: name.optional(),
  description: longText.optional(),
  icon: text(128).optional(),
  tags: text(255).optional(),
  vendor_id: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  endpoints: longText.optional(),
  status: flag.optional(),
  sync_official: flag.optional(),
  name_rule: z.int().min(0).max(3).optional(),
});

export const modelUpdateBody = modelBody.extend({ id: bodyId });

export const vendorBody = z.object({
  name: name.optional(),
  description: longText.optional(),
  icon: text(128).optional(),
  status: flag.optional(),
});

export const vendorUpdateBody = vendorBody.extend({ id: bodyId });

export const modelSearchQuery = z.object({
  keyword: text(128).optional(),
  vendor: text(128).optional(),
  status: queryInt(0, 1_000_000).optional(),
  sync_official: queryInt(0, 1_000_000).optional(),
});

export const vendorSearchQuery = z.object({ keyword: text(128).optional() });

/** The console's locales for the upstream metadata (New API's `locale`); anything else is the default list. */
export const syncLocale = text(16).optional();

export const syncBody = z.object({
  overwrite: z.array(z.object({
    model_name: text(255),
    fields: z.array(z.string().max(64)).max(64),
  })).max(10_000).optional(),
  locale: syncLocale,
});
