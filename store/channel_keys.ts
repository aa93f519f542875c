/**
 * The per-key state of a multi-key channel as New API keeps it in `channel_info`: `multi_key_status_list`
 * (index → 2 manually or 3 automatically disabled; absent = enabled), `multi_key_disabled_reason` and
 * `multi_key_disabled_time` by index, `multi_key_size`. Pure edits for the key management routes; the
 * relay reads the same fields (store/cache/catalog.ts) and writes them on failures (relay/health).
 */

export const KeyStatus = { enabled: 1, manuallyDisabled: 2, autoDisabled: 3 } as const;

export interface KeyState {
  index: number;
  status: number;
  disabled_time?: number;
  reason?: string;
  /** Enough of the key to tell keys apart, never enough to use one. */
  key_preview: string;
}

type Info = Record<string, unknown>;

const byIndex = (info: Info, field: string): Record<string, unknown> => {
  const v = info[field];
  return v && typeof v === "object" && !Array.isArray(v) ? { ...v as Record<string, unknown> } : {};
};

/** The first 3 and last 4 characters of a key long enough to keep the rest hidden. */
export function keyPreview(key: string): string {
  return key.length >= 16 ? `${key.slice(0, 3)}…${key.slice(-4)}` : "…";
}

export function keyStates(info: Info, keys: string[]): KeyState[] {
  const status = byIndex(info, "multi_key_status_list");
  const reason = byIndex(info, "multi_key_disabled_reason");
  const time = byIndex(info, "multi_key_disabled_time");
  return keys.map((key, index) => {
    const s = Number(status[index] ?? KeyStatus.enabled) || KeyStatus.enabled;
    return {
      index,
      status: s,
      ...(s !== KeyStatus.enabled && time[index] !== undefined ? { disabled_time: Number(time[index]) } : {}),
      ...(s !== KeyStatus.enabled && reason[index] !== undefined ? { reason: String(reason[index]) } : {}),
      key_preview: keyPreview(key),
    };
  });
}

/**
 * Sets keys `indexes` to `status`: enabling forgets the entry (New API's default is enabled), disabling by
 * hand records the time. Returns the new info and how many keys changed.
 */
export function withKeyStatus(
  info: Info,
  size: number,
  indexes: number[],
  status: typeof KeyStatus.enabled | typeof KeyStatus.manuallyDisabled,
  now: number,
): { info: Info; changed: number } {
  const list = byIndex(info, "multi_key_status_list");
  const reason = byIndex(info, "multi_key_disabled_reason");
  const time = byIndex(info, "multi_key_disabled_time");
  let changed = 0;
  for (const i of indexes) {
    if (i < 0 || i >= size) continue;
    const current = Number(list[i] ?? KeyStatus.enabled);
    if (current === status) continue;
    changed++;
    if (status === KeyStatus.enabled) {
      delete list[i];
      delete reason[i];
      delete time[i];
    } else {
      list[i] = status;
      delete reason[i];
      time[i] = now;
    }
  }
  return {
    info: {
      ...info,
      multi_key_status_list: list,
      multi_key_disabled_reason: reason,
      multi_key_disabled_time: time,
    },
    changed,
  };
}

/** Removes the keys `drop` picks and renumbers the state of the rest; the polling index starts over. */
export function withoutKeys(
  info: Info,
  keys: string[],
  drop: (state: KeyState) => boolean,
): { info: Info; keys: string[]; removed: number } {
  const kept = keyStates(info, keys).filter((s) => !drop(s));
  const list: Record<string, number> = {};
  const reason: Record<string, string> = {};
  const time: Record<string, number> = {};
  kept.forEach((s, i) => {
    if (s.status !== KeyStatus.enabled) list[i] = s.status;
    if (s.reason !== undefined) reason[i] = s.reason;
    if (s.disabled_time !== undefined) time[i] = s.disabled_time;
  });
  return {
    info: {
      ...info,
      multi_key_size: kept.length,
      multi_key_status_list: list,
      multi_key_disabled_reason: reason,
      multi_key_disabled_time: time,
      multi_key_polling_index: 0,
    },
    keys: kept.map((s) => keys[s.index]),
    removed: keys.length - kept.length,
  };
}
