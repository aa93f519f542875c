/**
 * Typed access to New API's `options` table. Each area declares its options (key, default, whether the
 * value is secret) in a module under `options/`, listed in `options/index.ts`; readers get the stored
 * value or the declared default through the catalog, so the hot path never reads the database.
 */
import type { Catalog } from "../store/cache/catalog.ts";
import type { Message } from "../i18n/messages.ts";

export interface OptionDef {
  key: string;
  /** The value used when the table has none, as New API stores it (a string; JSON for maps). */
  default: string;
  /** Never returned by `GET /api/option/` (New API withholds keys containing Secret or Token). */
  secret?: boolean;
  /** Checks a value before it is saved; returns what is wrong (an `api.option_*` message) or undefined. */
  validate?: (value: string) => Message | undefined;
  /**
   * False for New API keys this project stores (so a New API database and its clients keep them) but does
   * not act on yet; `GET /api/option/` says so per key. Absent means acted on.
   */
  implemented?: false;
}

export type OptionSource = Pick<Catalog, "option">;

export class OptionRegistry {
  readonly #defs = new Map<string, OptionDef>();

  constructor(defs: readonly OptionDef[]) {
    for (const d of defs) {
      if (this.#defs.has(d.key)) throw new Error(`option ${d.key} is declared twice`);
      this.#defs.set(d.key, d);
    }
  }

  get(key: string): OptionDef | undefined {
    return this.#defs.get(key);
  }

  all(): OptionDef[] {
    return [...this.#defs.values()];
  }

  /** Declared secrets, and keys named like New API's secrets (…Token, …Key, …api_key, any …Secret…). */
  isSecret(key: string): boolean {
    return this.#defs.get(key)?.secret ?? (key.includes("Secret") || /(Token|Key|secret|api_key)$/.test(key));
  }

  /** The stored value, else the declared default, else "". */
  string(source: OptionSource, key: string): string {
    return source.option(key) ?? this.#defs.get(key)?.default ?? "";
  }

  int(source: OptionSource, key: string): number {
    const n = Number(this.string(source, key));
    return Number.isFinite(n) ? Math.trunc(n) : Number(this.#defs.get(key)?.default ?? 0) || 0;
  }

  float(source: OptionSource, key: string): number {
    const n = Number(this.string(source, key));
    return Number.isFinite(n) ? n : Number(this.#defs.get(key)?.default ?? 0) || 0;
  }

  bool(source: OptionSource, key: string): boolean {
    return this.string(source, key) === "true";
  }

  /** Parses a JSON option; a malformed stored value falls back to the default. */
  json<T>(source: OptionSource, key: string): T {
    try {
      return JSON.parse(this.string(source, key)) as T;
    } catch {
      return JSON.parse(this.#defs.get(key)?.default || "null") as T;
    }
  }
}

export const boolOption = (key: string, value: boolean): OptionDef => ({
  key,
  default: String(value),
  validate: (v) => (v === "true" || v === "false" ? undefined : { key: "api.option_bool", params: { key } }),
});

export const intOption = (key: string, value: number, min = 0, max = Number.MAX_SAFE_INTEGER): OptionDef => ({
  key,
  default: String(value),
  validate: (v) => {
    // Number("") and Number(" 1e3") are numbers; New API's Atoi takes only a decimal integer.
    const n = /^[+-]?\d{1,16}$/.test(v) ? Number(v) : NaN;
    return Number.isInteger(n) && n >= min && n <= max
      ? undefined
      : { key: "api.option_int_range", params: { key, min, max } };
  },
});

export const floatOption = (key: string, value: number): OptionDef => ({
  key,
  default: String(value),
  validate: (
    v,
  ) => (v.trim() !== "" && Number.isFinite(Number(v))
    ? undefined
    : { key: "api.option_number", params: { key } }),
});

export const jsonOption = (key: string, value: unknown): OptionDef => ({
  key,
  default: JSON.stringify(value),
  validate: (v) => {
    try {
      JSON.parse(v);
      return undefined;
    } catch {
      return { key: "api.option_json", params: { key } };
    }
  },
});
