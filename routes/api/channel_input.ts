/**
 * What a channel create or update body may say, in New API's field names, and the checks beyond types:
 * known type ids, http(s) base URLs, JSON-object fields, bounded priority/weight, and lengths that fit
 * the columns. Both the `{mode, channel}` body of current New API and the older flat body are accepted.
 */
import { z } from "zod";
import { badRequest } from "./errors.ts";
import type { ChannelFields } from "../../store/channels.ts";

/** New API's channel type ids (new-api.md §2): 1–27, 31, 33–60. */
export const CHANNEL_TYPES: ReadonlySet<number> = new Set([
  ...Array.from({ length: 27 }, (_, i) => i + 1),
  31,
  ...Array.from({ length: 28 }, (_, i) => i + 33),
]);

/** Types whose upstream address cannot be guessed (Azure, Custom, Advanced Custom, Sub2API, New API). */
const NEEDS_BASE_URL = new Set([3, 8, 58, 59, 60]);
const VERTEX_AI = 41;

/** A JSON field given as text (New API's form) or as an object. */
const jsonField = z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown()), z.null()])
  .transform((v) => (v === null ? "" : typeof v === "string" ? v.trim() : JSON.stringify(v)));

const nullableText = (max: number) => z.string().max(max).nullable().transform((v) => v ?? "");

export const channelFieldsSchema = z.object({
  type: z.int().min(0).max(1000),
  key: z.string().max(4_000_000),
  name: z.string().max(255),
  base_url: nullableText(2048),
  other: nullableText(65536),
  models: z.union([z.string().max(2_000_000), z.array(z.string().max(1024)).max(10000)]),
  group: z.string().max(1024),
  groups: z.array(z.string().max(1024)).max(100),
  model_mapping: jsonField,
  status_code_mapping: jsonField,
  param_override: jsonField,
  header_override: jsonField,
  setting: jsonField,
  settings: jsonField,
  other_info: nullableText(65536),
  test_model: nullableText(255),
  priority: z.int().min(-1_000_000_000).max(1_000_000_000).nullable(),
  weight: z.int().min(0).max(1_000_000).nullable(),
  auto_ban: z.union([z.literal(0), z.literal(1)]).nullable(),
  tag: nullableText(255),
  remark: nullableText(255),
  openai_organization: nullableText(255),
  /** Any stored status may be echoed back by a console; only 1 (enabled) and 2 (disabled) are set. */
  status: z.int().min(0).max(3),
}).partial();

export type ChannelInput = z.output<typeof channelFieldsSchema>;

/** The body of current New API: `{mode, channel}` (the older flat body is `channelFieldsSchema` alone). */
export const channelModeBody = z.object({
  mode: z.string().max(32),
  multi_key_mode: z.enum(["random", "polling"]).optional(),
  batch_add_set_key_prefix_2_name: z.boolean().optional(),
  channel: channelFieldsSchema,
});

export const updateChannelBody = channelFieldsSchema.extend({
  id: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  key_mode: z.enum(["append", "replace"]).optional(),
  multi_key_mode: z.enum(["random", "polling"]).optional(),
});

/** Splits "a,b" or ["a","b"] into unique trimmed names. */
function nameList(value: string | string[]): string[] {
  const items = Array.isArray(value) ? value : value.split(",");
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

function checkBaseUrl(url: string): void {
  if (url === "") return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("api.channel_base_url_invalid");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw badRequest("api.channel_base_url_invalid");
  }
}

function checkJsonObject(field: string, text: string, stringValues: boolean): void {
  if (text === "") return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("api.channel_json_object", { field });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("api.channel_json_object", { field });
  }
  if (stringValues && Object.values(value).some((v) => typeof v !== "string")) {
    throw badRequest("api.channel_json_string_map", { field });
  }
}

/**
 * Maps and checks the fields present in `input` (a create when `creating`). The key is left to the
 * caller (it may be split into many channels); the effective type decides type-specific rules.
 */
export function channelFieldsFrom(
  input: ChannelInput,
  creating: boolean,
  effectiveType: number,
): Omit<ChannelFields, "key"> {
  const out: Omit<ChannelFields, "key"> = {};
  if (input.type !== undefined || creating) {
    if (input.type === undefined || !CHANNEL_TYPES.has(input.type)) {
      throw badRequest("api.channel_type_invalid", { type: String(input.type ?? "") });
    }
    out.type = input.type;
  }
  if (input.name !== undefined || creating) {
    const name = (input.name ?? "").trim();
    if (name === "") throw badRequest("api.channel_name_required");
    out.name = name;
  }
  if (input.base_url !== undefined) {
    const url = input.base_url.trim().replace(/\/+$/, "");
    checkBaseUrl(url);
    out.baseUrl = url;
  }
  if (input.other !== undefined) out.other = input.other;
  if (effectiveType === VERTEX_AI && (input.other !== undefined || creating)) {
    let region: unknown;
    try {
      region = JSON.parse(input.other ?? "");
    } catch { /* checked below */ }
    if (!region || typeof region !== "object" || !("default" in region)) {
      throw badRequest("api.channel_vertex_region");
    }
  }
  if (input.models !== undefined) {
    const models = nameList(input.models);
    const tooLong = models.find((m) => m.length > 255);
    if (tooLong) throw badRequest("api.model_name_too_long", { value: tooLong.slice(0, 64) });
    out.models = models.join(",");
  }
  if (input.groups !== undefined || input.group !== undefined || creating) {
    const groups = nameList(input.groups ?? input.group ?? "default");
    const joined = (groups.length ? groups : ["default"]).join(",");
    if (joined.length > 64) throw badRequest("api.group_invalid", { group: joined.slice(0, 64) });
    out.group = joined;
  }
  for (
    const [field, key, stringValues] of [
      ["model_mapping", "modelMapping", true],
      ["status_code_mapping", "statusCodeMapping", true],
      ["param_override", "paramOverride", false],
      ["header_override", "headerOverride", false],
      ["setting", "setting", false],
      ["settings", "settings", false],
    ] as const
  ) {
    const value = input[field];
    if (value === undefined) continue;
    checkJsonObject(field, value, stringValues);
    if (field === "status_code_mapping" && value.length > 1024) {
      throw badRequest("api.field_too_long", { field, max: 1024 });
    }
    out[key] = value;
  }
  if (input.other_info !== undefined) out.otherInfo = input.other_info;
  if (input.test_model !== undefined) out.testModel = input.test_model.trim();
  if (input.priority !== undefined) out.priority = input.priority ?? 0;
  if (input.weight !== undefined) out.weight = input.weight ?? 0;
  if (input.auto_ban !== undefined) out.autoBan = input.auto_ban ?? 1;
  if (input.tag !== undefined) out.tag = input.tag.trim();
  if (input.remark !== undefined) out.remark = input.remark;
  if (input.openai_organization !== undefined) out.openaiOrganization = input.openai_organization;
  if (input.status === 1 || input.status === 2) out.status = input.status;
  if (creating) {
    out.priority ??= 0;
    out.weight ??= 0;
    out.autoBan ??= 1;
  }
  return out;
}

/** Whether this type needs a base URL to reach its upstream. */
export function needsBaseUrl(type: number): boolean {
  return NEEDS_BASE_URL.has(type);
}
