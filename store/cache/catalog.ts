/**
 * The in-memory views the relay's hot path reads instead of the database: tokens by key hash, users,
 * channels with decrypted keys, the group → model → priority-tier routing index, and options.
 * Writers call `CacheSync.publish` after a change; the catalog reloads just that entity.
 */
import type { Db } from "../db.ts";
import { getTokenByHash, loadAllTokens, type Token, tokenFromRow, TokenStatus } from "../tokens.ts";
import { getUser, loadAllUsers, type User } from "../users.ts";
import { ChannelStatus, type ChannelWithKey, loadChannelsWithKeys, splitList } from "../channels.ts";
import { loadOptions } from "../options.ts";
import { asInt, asJsonObject, queryOne } from "../db.ts";
import { LEASED_TOKEN_QUOTA } from "../quota_leases.ts";

export interface TokenView extends Token {
  /** null when the token has no model allow-list. */
  modelLimitSet: Set<string> | null;
  allowIpList: string[];
}

export interface ChannelInfo {
  isMultiKey: boolean;
  mode: "random" | "polling";
  /** Key index → status (1 enabled, 2/3 disabled); missing = enabled. */
  keyStatus: Record<number, number>;
}

export interface ChannelView extends ChannelWithKey {
  keys: string[];
  groups: string[];
  modelList: string[];
  info: ChannelInfo;
}

export function tokenView(t: Token): TokenView {
  return {
    ...t,
    modelLimitSet: t.modelLimitsEnabled ? new Set(splitList(t.modelLimits)) : null,
    allowIpList: t.allowIps.split(/[\n,]/).map((s) => s.trim()).filter(Boolean),
  };
}

/** Splits a channel key field: a JSON array (Vertex-style), else one key per line. */
export function splitChannelKeys(key: string): string[] {
  const trimmed = key.trim();
  if (trimmed.startsWith("[")) {
    try {
      const arr = JSON.parse(trimmed);
      if (Array.isArray(arr)) return arr.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    } catch { /* not JSON: fall through */ }
  }
  return trimmed.split("\n").map((s) => s.trim()).filter(Boolean);
}

export function channelView(c: ChannelWithKey): ChannelView {
  const info = asJsonObject(c.channelInfo);
  const statusList = asJsonObject(JSON.stringify(info.multi_key_status_list ?? {}));
  const keyStatus: Record<number, number> = {};
  for (const [k, v] of Object.entries(statusList)) keyStatus[Number(k)] = asInt(v);
  return {
    ...c,
    keys: splitChannelKeys(c.key),
    groups: splitList(c.group),
    modelList: splitList(c.models),
    info: {
      isMultiKey: info.is_multi_key === true,
      mode: info.multi_key_mode === "polling" ? "polling" : "random",
      keyStatus,
    },
  };
}

/** Moves of balances the store has not been told yet (store/quota_book.ts). */
export interface BalanceOverlay {
  /** Bumped whenever sums move between memory and the store. */
  readonly version: number;
  userOverlay(id: number): number;
  tokenOverlay(id: number): number;
}

export class Catalog {
  #tokensByHash = new Map<string, TokenView>();
  #tokensById = new Map<number, TokenView>();
  #users = new Map<number, User>();
  #channels = new Map<number, ChannelView>();
  /** group → model → channels grouped by priority, highest first (enabled channels only). */
  #index = new Map<string, Map<string, ChannelView[][]>>();
  #options = new Map<string, string>();
  /** Incremented on every change; lets readers notice a reload. */
  version = 0;
  /** What the store's balances lack (the quota book's unwritten moves), added to every balance loaded. */
  #overlay?: BalanceOverlay;

  setBalanceOverlay(overlay: BalanceOverlay): void {
    this.#overlay = overlay;
  }

  /**
   * Runs a read of balances and applies the overlay in the same turn as it is checked: when the book moved
   * sums into the store while the read was under way, the read is repeated.
   */
  async #balances<T>(read: () => Promise<T>, apply: (v: T, o: BalanceOverlay) => void): Promise<T> {
    for (let attempt = 0;; attempt++) {
      const o = this.#overlay;
      const version = o?.version;
      const v = await read();
      if (!o) return v;
      if (o.version === version || attempt >= 5) {
        apply(v, o);
        return v;
      }
    }
  }

  constructor(private readonly db: Db, private readonly cryptoSecret: string) {}

  async loadAll(): Promise<void> {
    const [[tokens, users], channels, options] = await Promise.all([
      this.#balances(
        () => Promise.all([loadAllTokens(this.db), loadAllUsers(this.db)]),
        ([tokens, users], o) => {
          for (const t of tokens) t.remainQuota += o.tokenOverlay(t.id);
          for (const u of users) u.quota += o.userOverlay(u.id);
        },
      ),
      loadChannelsWithKeys(this.db, this.cryptoSecret),
      loadOptions(this.db),
    ]);
    this.#tokensByHash = new Map();
    this.#tokensById = new Map();
    for (const t of tokens) this.#putToken(tokenView(t));
    this.#users = new Map(users.map((u) => [u.id, u]));
    this.#channels = new Map(channels.map((c) => [c.id, channelView(c)]));
    this.#options = options;
    this.#rebuildIndex();
    this.version++;
  }

  #putToken(t: TokenView): void {
    this.#tokensByHash.set(t.keyHash, t);
    this.#tokensById.set(t.id, t);
  }

  #dropToken(id: number): void {
    const old = this.#tokensById.get(id);
    if (old) this.#tokensByHash.delete(old.keyHash);
    this.#tokensById.delete(id);
  }

  async reloadToken(id: number): Promise<void> {
    const t = await this.#balances(async () => {
      const row = await queryOne(
        this.db,
        `SELECT id, user_id, "key", key_hint, status, name, created_time, accessed_time, expired_time,
        ${LEASED_TOKEN_QUOTA} AS remain_quota,
        unlimited_quota, used_quota, model_limits_enabled, model_limits, allow_ips, "group", cross_group_retry,
        auto_groups, rpm_limit, tpm_limit, concurrency_limit FROM tokens WHERE id = ? AND deleted_at IS NULL`,
        [id],
      );
      return row ? tokenFromRow(row) : undefined;
    }, (t, o) => {
      if (t) t.remainQuota += o.tokenOverlay(t.id);
    });
    this.#dropToken(id);
    if (t) this.#putToken(tokenView(t));
    this.version++;
  }

  async reloadTokenByHash(hash: string): Promise<void> {
    const t = await this.#balances(() => getTokenByHash(this.db, hash), (t, o) => {
      if (t) t.remainQuota += o.tokenOverlay(t.id);
    });
    if (t) {
      this.#dropToken(t.id);
      this.#putToken(tokenView(t));
      this.version++;
    }
  }

  async reloadUser(id: number): Promise<void> {
    const u = await this.#balances(() => getUser(this.db, id), (u, o) => {
      if (u) u.quota += o.userOverlay(u.id);
    });
    if (u) this.#users.set(id, u);
    else this.#users.delete(id);
    this.version++;
  }

  async reloadChannel(id: number): Promise<void> {
    const [c] = await loadChannelsWithKeys(this.db, this.cryptoSecret, id);
    if (c) this.#channels.set(id, channelView(c));
    else this.#channels.delete(id);
    this.#rebuildIndex();
    this.version++;
  }

  async reloadOptions(): Promise<void> {
    this.#options = await loadOptions(this.db);
    this.version++;
  }

  #rebuildIndex(): void {
    const byGroupModel = new Map<string, Map<string, ChannelView[]>>();
    for (const c of this.#channels.values()) {
      if (c.status !== ChannelStatus.enabled) continue;
      for (const g of c.groups) {
        let models = byGroupModel.get(g);
        if (!models) byGroupModel.set(g, models = new Map());
        for (const m of c.modelList) {
          const list = models.get(m);
          if (list) list.push(c);
          else models.set(m, [c]);
        }
      }
    }
    const index = new Map<string, Map<string, ChannelView[][]>>();
    for (const [g, models] of byGroupModel) {
      const tiersByModel = new Map<string, ChannelView[][]>();
      for (const [m, list] of models) {
        const byPriority = new Map<number, ChannelView[]>();
        for (const c of list) {
          const tier = byPriority.get(c.priority);
          if (tier) tier.push(c);
          else byPriority.set(c.priority, [c]);
        }
        tiersByModel.set(m, [...byPriority.entries()].sort((a, b) => b[0] - a[0]).map(([, cs]) => cs));
      }
      index.set(g, tiersByModel);
    }
    this.#index = index;
  }

  tokenByHash(hash: string): TokenView | undefined {
    return this.#tokensByHash.get(hash);
  }

  token(id: number): TokenView | undefined {
    return this.#tokensById.get(id);
  }

  user(id: number): User | undefined {
    return this.#users.get(id);
  }

  channel(id: number): ChannelView | undefined {
    return this.#channels.get(id);
  }

  channels(): IterableIterator<ChannelView> {
    return this.#channels.values();
  }

  /** Enabled channels serving `model` in `group`, as priority tiers (highest first). */
  tiers(group: string, model: string): readonly ChannelView[][] {
    return this.#index.get(group)?.get(model) ?? [];
  }

  /** Models with at least one enabled channel in `group`. */
  groupModels(group: string): string[] {
    return [...(this.#index.get(group)?.keys() ?? [])];
  }

  /** Every group that has an enabled channel. */
  groups(): string[] {
    return [...this.#index.keys()];
  }

  option(key: string): string | undefined {
    return this.#options.get(key);
  }

  options(): ReadonlyMap<string, string> {
    return this.#options;
  }

  /** Local adjustment after a reservation or settlement, until the next reload. */
  adjustTokenQuota(id: number, delta: number): void {
    const t = this.#tokensById.get(id);
    if (t) t.remainQuota += delta;
  }

  /** Local adjustment of a user's quota, until the next reload. */
  adjustUserQuota(id: number, delta: number): void {
    const u = this.#users.get(id);
    if (u) u.quota += delta;
  }

  /** Token statuses that make a key unusable (status other than enabled). */
  static isTokenUsable(t: TokenView, now: number): boolean {
    if (t.status !== TokenStatus.enabled) return false;
    if (t.expiredTime !== -1 && t.expiredTime < now) return false;
    return t.unlimitedQuota || t.remainQuota > 0;
  }
}
