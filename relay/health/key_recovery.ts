/**
 * Recovery of auto-disabled keys in multi-key channels (and of auto-disabled single-key channels), on a
 * schedule of its own (New API only re-tests them with the whole-channel test, so a key disabled by a
 * burst of errors stays out until someone looks):
 * every auto-disabled key (status 3; a key disabled by hand, status 2, is left alone) is probed with the
 * channel test once KEY_RECOVERY_MINUTES have passed since it was disabled, and re-enabled when the probe
 * passes, which also re-enables a channel that had run out of keys. A failed probe doubles the wait for
 * that key, up to an hour. Follows `AutomaticEnableChannelEnabled`, New API's switch for re-enabling.
 */
import type { AppDeps } from "../../server/deps.ts";
import type { Job } from "../../jobs/scheduler.ts";
import { ChannelStatus } from "../../store/channels.ts";
import { optionRegistry } from "../../options/index.ts";
import { parseJsonObject } from "../providers/spec.ts";
import { log } from "../../server/logger.ts";
import { testChannel } from "./channel_test.ts";
import { enableChannel } from "./channel_state.ts";

const MAX_WAIT_MS = 3_600_000;

/** Per key (`channel:index`): when it may be probed next and the wait after that one fails. */
export type ProbeSchedule = Map<string, { at: number; waitMs: number }>;

export interface RecoverySummary {
  probed: number;
  enabled: number;
}

/** Probes the keys that are due; `waitMs` is KEY_RECOVERY_MINUTES in ms. */
export async function recoverKeys(
  deps: AppDeps,
  waitMs: number,
  schedule: ProbeSchedule,
  now = Date.now(),
): Promise<RecoverySummary> {
  const summary: RecoverySummary = { probed: 0, enabled: 0 };
  if (!optionRegistry.bool(deps.catalog, "AutomaticEnableChannelEnabled")) return summary;
  const seen = new Set<string>();
  for (const ch of deps.catalog.channels()) {
    if (ch.status === ChannelStatus.manuallyDisabled) continue;
    // A single-key channel is its own key (-1): auto-disabled as a whole, timed by other_info.status_time.
    const single = !ch.info.isMultiKey;
    if (single && ch.status !== ChannelStatus.autoDisabled) continue;
    const times: Record<string, unknown> = single
      ? { "-1": parseJsonObject(ch.otherInfo).status_time }
      : parseJsonObject(JSON.stringify(parseJsonObject(ch.channelInfo).multi_key_disabled_time ?? {}));
    for (let i = single ? -1 : 0; i < (single ? 0 : ch.keys.length); i++) {
      if (!single && ch.info.keyStatus[i] !== ChannelStatus.autoDisabled) continue;
      const id = `${ch.id}:${i}`;
      seen.add(id);
      const disabledAt = Number(times[i]) * 1000 || now;
      const due = schedule.get(id) ?? { at: disabledAt + waitMs, waitMs };
      schedule.set(id, due);
      if (now < due.at) continue;
      const r = await testChannel(deps, ch, single ? {} : { keyIndex: i });
      summary.probed++;
      if (r.ok && await enableChannel(deps, ch.id, single ? undefined : i) !== "none") {
        summary.enabled++;
        schedule.delete(id);
        continue;
      }
      const next = Math.min(MAX_WAIT_MS, due.waitMs * 2);
      schedule.set(id, { at: now + next, waitMs: next });
    }
  }
  for (const id of schedule.keys()) if (!seen.has(id)) schedule.delete(id);
  if (summary.probed) log.info("multi-key recovery probes", { ...summary });
  return summary;
}

/** The master's job: ticks every minute (or `tickMs`), probes what is due; off when the wait is 0. */
export function keyRecoveryJob(deps: AppDeps, tickMs = 60_000): Job {
  const schedule: ProbeSchedule = new Map();
  return {
    name: "key_recovery",
    intervalMs: tickMs,
    async run() {
      const minutes = deps.config.keyRecoveryMinutes;
      if (minutes > 0) await recoverKeys(deps, minutes * 60_000, schedule);
    },
  };
}
