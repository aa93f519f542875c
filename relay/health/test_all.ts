/**
 * The health check over every channel that is not manually disabled (New API's test-all and scheduled
 * test): a failing enabled channel is auto-disabled when `AutomaticDisableChannelEnabled` and the failure
 * is one the auto-disable rules name (or the test took longer than `ChannelDisableThreshold` seconds);
 * an auto-disabled channel whose test passes is re-enabled when `AutomaticEnableChannelEnabled`. On
 * multi-key channels every disabled key is tested on its own and re-enabled the same way.
 */
import type { AppDeps } from "../../server/deps.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { ChannelStatus } from "../../store/channels.ts";
import { optionRegistry } from "../../options/index.ts";
import { shouldDisable } from "../routing/retry_policy.ts";
import { retryPolicy } from "../pipeline/retry_loop.ts";
import { log } from "../../server/logger.ts";
import { testChannel } from "./channel_test.ts";
import { disableChannel, enableChannel } from "./channel_state.ts";

export interface TestSummary {
  tested: number;
  failed: number;
  disabled: number;
  enabled: number;
}

async function testOne(deps: AppDeps, ch: ChannelView, summary: TestSummary): Promise<void> {
  const { catalog } = deps;
  const thresholdMs = Number(optionRegistry.string(catalog, "ChannelDisableThreshold")) * 1000 || Infinity;
  const autoEnable = optionRegistry.bool(catalog, "AutomaticEnableChannelEnabled");
  const policy = retryPolicy(catalog);
  const disabledKeys = ch.info.isMultiKey
    ? ch.keys.map((_, i) => i).filter((i) => (ch.info.keyStatus[i] ?? 1) !== ChannelStatus.enabled)
    : [];
  if (ch.status === ChannelStatus.enabled || !ch.info.isMultiKey) {
    const r = await testChannel(deps, ch);
    summary.tested++;
    const slow = r.ms > thresholdMs;
    if (!r.ok || slow) summary.failed++;
    if (
      ch.status === ChannelStatus.enabled &&
      (slow || (r.failure && shouldDisable(policy, r.failure.routing, ch.autoBan !== 0)))
    ) {
      const reason = slow ? `response time ${(r.ms / 1000).toFixed(2)}s is over the threshold` : r.message;
      if (policy.autoDisable && ch.autoBan !== 0) {
        const change = await disableChannel(deps, ch.id, 0, ch.keys.length, reason.slice(0, 300));
        if (change !== "none") summary.disabled++;
      }
    } else if (ch.status === ChannelStatus.autoDisabled && r.ok && !slow && autoEnable) {
      if (await enableChannel(deps, ch.id) !== "none") summary.enabled++;
    }
  }
  for (const keyIndex of disabledKeys) {
    const r = await testChannel(deps, ch, { keyIndex });
    summary.tested++;
    if (!r.ok || r.ms > thresholdMs) {
      summary.failed++;
      continue;
    }
    if (autoEnable && await enableChannel(deps, ch.id, keyIndex) !== "none") summary.enabled++;
  }
}

let running = false;

/** Tests the channels; returns undefined when a run is already going on in this process. */
export async function testAllChannels(deps: AppDeps): Promise<TestSummary | undefined> {
  if (running) return undefined;
  running = true;
  const summary: TestSummary = { tested: 0, failed: 0, disabled: 0, enabled: 0 };
  try {
    const channels = [...deps.catalog.channels()].filter((c) => c.status !== ChannelStatus.manuallyDisabled);
    for (const ch of channels) {
      try {
        await testOne(deps, ch, summary);
      } catch (err) {
        log.error("channel test failed to run", { channel: ch.id, error: String(err) });
      }
      if (deps.config.pollingIntervalSeconds > 0) {
        await new Promise((r) => setTimeout(r, deps.config.pollingIntervalSeconds * 1000));
      }
    }
    log.info("channel tests done", { ...summary });
    return summary;
  } finally {
    running = false;
  }
}
