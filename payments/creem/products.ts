/** `CreemProducts`, New API's JSON list of Creem products: each credits a fixed quota for a fixed price. */
import { z } from "zod";

export const creemProduct = z.object({
  productId: z.string().min(1).max(128),
  name: z.string().max(256),
  price: z.number().positive().max(1e9),
  currency: z.string().max(8),
  quota: z.int().positive().max(Number.MAX_SAFE_INTEGER),
});
export type CreemProduct = z.infer<typeof creemProduct>;
export const creemProducts = z.array(creemProduct).max(100);
