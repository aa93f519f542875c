/**
 * Body and query rules of the model-metadata and vendor routes (`/api/models/*`, `/api/vendors/*`), with
 * New API's field names. Keys New API's console echoes back (`bound_channels`, `model_count`, ...) are
 * ignored.
 */
import { z } from "zod";
import { bodyId, queryInt } from "./input.ts";

const name = z.string().trim().max(128);
const longText = z.string().max(65_535);
const flag = z.int().min(0).max(1_000_000);

export const modelBody = z.object({
  model_name: name.optional(),
  description: longText.optional(),
  icon: z.string().max(128).optional(),
  tags: z.string().max(255).optional(),
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
  icon: z.string().max(128).optional(),
  status: flag.optional(),
});

export const vendorUpdateBody = vendorBody.extend({ id: bodyId });

export const modelSearchQuery = z.object({
  keyword: z.string().max(128).optional(),
  vendor: z.string().max(128).optional(),
  status: queryInt(0, 1_000_000).optional(),
  sync_official: queryInt(0, 1_000_000).optional(),
});

export const vendorSearchQuery = z.object({ keyword: z.string().max(128).optional() });

/** The console's locales for the upstream metadata (New API's `locale`); anything else is the default list. */
export const syncLocale = z.string().max(16).optional();

export const syncBody = z.object({
  overwrite: z.array(z.object({
    model_name: z.string().max(255),
    fields: z.array(z.string().max(64)).max(64),
  })).max(10_000).optional(),
  locale: syncLocale,
});
