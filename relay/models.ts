/**
 * `GET /v1/models` and `GET /v1/models/:model` in OpenAI's shape: the models that have an enabled channel
 * in the caller's group, narrowed by the token's model allow-list. `owned_by` is the provider of the
 * first channel serving the model.
 */
import type { Catalog } from "../store/cache/catalog.ts";
import type { Caller } from "./pipeline/key_auth.ts";
import { providerFor } from "./providers/registry.ts";

/** New API's fixed `created` for listed models. */
const CREATED = 1626777600;

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export function visibleModels(catalog: Catalog, caller: Caller): ModelObject[] {
  const limits = caller.token?.modelLimitSet ?? null;
  const out: ModelObject[] = [];
  for (const id of catalog.groupModels(caller.usingGroup).sort()) {
    if (limits && !limits.has(id)) continue;
    const first = catalog.tiers(caller.usingGroup, id)[0]?.[0];
    const owner = first ? providerFor(first.type)?.name ?? "custom" : "custom";
    out.push({ id, object: "model", created: CREATED, owned_by: owner });
  }
  return out;
}
