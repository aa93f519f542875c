/**
 * The model list: the models that have an enabled channel in the caller's group, narrowed by the token's
 * model allow-list, in OpenAI's shape (`owned_by` is the provider of the first channel serving the
 * model), Anthropic's or Gemini's (`models/<id>` names, as Google lists them).
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

/** The list in Anthropic's shape (`GET /v1/models` with `x-api-key` + `anthropic-version`). */
export function claudeModelList(models: ModelObject[]) {
  const data = models.map(claudeModel);
  return { data, first_id: data[0]?.id ?? null, has_more: false, last_id: data.at(-1)?.id ?? null };
}

export function claudeModel(m: ModelObject) {
  return {
    type: "model",
    id: m.id,
    display_name: m.id,
    created_at: new Date(m.created * 1000).toISOString().replace(".000Z", "Z"),
  };
}

/** The list in Gemini's shape (`GET /v1beta/models`, or `/v1/models` with a Google-style key). */
export function geminiModelList(models: ModelObject[]) {
  return { models: models.map(geminiModel), nextPageToken: null };
}

export function geminiModel(m: ModelObject) {
  const embedding = /embed/i.test(m.id);
  return {
    name: `models/${m.id}`,
    version: "001",
    displayName: m.id,
    supportedGenerationMethods: embedding
      ? ["embedContent", "batchEmbedContents"]
      : ["generateContent", "streamGenerateContent", "countTokens"],
  };
}
