/**
 * The scheduled channel test, through `jobs/scheduler.ts` so one instance runs it: enabled by
 * `monitor_setting.auto_test_channel_enabled` (every `monitor_setting.auto_test_channel_minutes`) or by
 * the CHANNEL_TEST_FREQUENCY environment variable (minutes). The job ticks every minute and runs when its
 * period has passed, so a changed setting applies without a restart.
 */
import type { AppDeps } from "../../server/deps.ts";
import type { Job } from "../../jobs/scheduler.ts";
import { optionRegistry } from "../../options/index.ts";
import { testAllChannels } from "./test_all.ts";

/** Minutes between runs, or 0 when scheduled tests are off. */
export function channelTestPeriodMinutes(deps: Pick<AppDeps, "config" | "catalog">): number {
  if (deps.config.channelTestFrequencyMinutes > 0) return deps.config.channelTestFrequencyMinutes;
  if (!optionRegistry.bool(deps.catalog, "monitor_setting.auto_test_channel_enabled")) return 0;
  return Math.max(1, optionRegistry.int(deps.catalog, "monitor_setting.auto_test_channel_minutes"));
}

/** `lastRun` is when the period starts counting (the process start, unless a test says otherwise). */
export function channelTestJob(deps: AppDeps, tickMs = 60_000, lastRun = Date.now()): Job {
  return {
    name: "channel_test",
    intervalMs: tickMs,
    async run() {
      const minutes = channelTestPeriodMinutes(deps);
      if (minutes === 0 || Date.now() - lastRun < minutes * 60_000 - tickMs / 2) return;
      lastRun = Date.now();
      await testAllChannels(deps);
    },
  };
}
