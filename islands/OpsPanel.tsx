/**
 * The root's operations page: this instance's performance (`GET /api/performance/stats`, a forced garbage
 * collection through `POST /api/performance/gc`), every node of the deployment (`GET /api/system-info/
 * instances`, stale ones removed one by one or all at once) and the system tasks (`GET /api/system-task/
 * list`; a log cleanup before a chosen time started with `POST /api/system-task/log-cleanup`).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { useApiGet } from "../client/use_api.ts";
import { useAction } from "../client/use_action.ts";
import { formatBytes, formatCount, formatTime, unixFromLocalInput } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { ConfirmButton } from "../components/ConfirmButton.tsx";

interface PerformanceStats {
  memory_stats: { alloc: number; total_alloc: number; sys: number; num_gc: number; num_goroutine: number };
  disk_space_info: { total: number; free: number; used: number; used_percent: number };
}

interface Instance {
  node_name: string;
  status: "online" | "stale";
  started_at: number;
  last_seen_at: number;
  info: Record<string, unknown> | string | null;
}

interface SystemTask {
  task_id: string;
  type: string;
  status: "pending" | "running" | "succeeded" | "failed";
  state: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: string;
  created_at: number;
  updated_at: number;
}

const taskStatus: Record<SystemTask["status"], MessageKey> = {
  pending: "ops.task_pending",
  running: "ops.task_running",
  succeeded: "ops.task_succeeded",
  failed: "ops.task_failed",
};

/** What a node's heartbeat snapshot says, in a few words (version, role, store). */
function infoText(info: Instance["info"]): string {
  if (!info || typeof info !== "object") return typeof info === "string" ? info : "—";
  return ["version", "node_type", "store"].map((k) => info[k]).filter((v) => v !== undefined && v !== "")
    .join(" · ") || "—";
}

function taskOutcome(task: SystemTask, lang: string): string {
  if (task.error) return task.error;
  const deleted = (task.result ?? task.state)?.deleted_count;
  return typeof deleted === "number" ? formatCount(deleted, lang) : "—";
}

export default function OpsPanel() {
  const { t, lang } = useI18n();
  const stats = useApiGet<PerformanceStats>("/api/performance/stats");
  const nodes = useApiGet<Instance[]>("/api/system-info/instances");
  const tasks = useApiGet<SystemTask[]>("/api/system-task/list?limit=20");
  const perfAction = useAction(stats.reload);
  const nodeAction = useAction(nodes.reload);
  const taskAction = useAction(tasks.reload);
  const [before, setBefore] = useState("");
  const perf = stats.result?.ok ? stats.result.data : undefined;
  const cards: [string, string][] = perf
    ? [
      [t("ops.heap_used"), formatBytes(perf.memory_stats.alloc, lang)],
      [t("ops.heap_total"), formatBytes(perf.memory_stats.total_alloc, lang)],
      [t("ops.rss"), formatBytes(perf.memory_stats.sys, lang)],
      [t("ops.inflight"), formatCount(perf.memory_stats.num_goroutine, lang)],
      [
        t("ops.disk"),
        t("ops.disk_value", {
          percent: perf.disk_space_info.used_percent.toFixed(1),
          free: formatBytes(perf.disk_space_info.free, lang),
        }),
      ],
    ]
    : [];
  const nodeList = nodes.result?.ok && Array.isArray(nodes.result.data) ? nodes.result.data : [];
  const taskList = tasks.result?.ok && Array.isArray(tasks.result.data) ? tasks.result.data : [];
  return (
    <div class="stack ops">
      <section class="stack" data-section="performance">
        <div class="toolbar">
          <h2>{t("ops.performance")}</h2>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => perfAction.run("POST", "/api/performance/gc", undefined, "ops.gc_done")}
          >
            {t("ops.gc")}
          </button>
          <button type="button" class="btn btn-small" onClick={stats.reload}>{t("ops.refresh")}</button>
        </div>
        <ActionMessage message={perfAction.message} />
        {perf
          ? (
            <div class="cards">
              {cards.map(([label, value]) => (
                <div class="card stat" key={label}>
                  <span class="stat-label">{label}</span>
                  <span class="stat-value">{value}</span>
                </div>
              ))}
            </div>
          )
          : <ApiNotice result={stats.result} loading={stats.loading} />}
      </section>

      <section class="stack" data-section="instances">
        <div class="toolbar">
          <h2>{t("ops.instances")}</h2>
          {nodeList.some((n) => n.status === "stale") && (
            <ConfirmButton
              label={t("ops.remove_stale")}
              question={t("ops.remove_stale_confirm")}
              onConfirm={() =>
                nodeAction.run("DELETE", "/api/system-info/stale-instances", undefined, "ops.removed")}
            />
          )}
        </div>
        <ActionMessage message={nodeAction.message} />
        {nodes.result?.ok
          ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("ops.node")}</th>
                    <th>{t("common.status")}</th>
                    <th>{t("ops.started")}</th>
                    <th>{t("ops.last_seen")}</th>
                    <th>{t("ops.info")}</th>
                    <th>{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {nodeList.map((n) => (
                    <tr key={n.node_name} data-node={n.node_name}>
                      <td>
                        <code>{n.node_name}</code>
                      </td>
                      <td>
                        <span
                          class={`badge ${n.status === "online" ? "status-1" : "status-3"}`}
                          data-status={n.status}
                        >
                          {t(n.status === "online" ? "ops.online" : "ops.stale")}
                        </span>
                      </td>
                      <td>{formatTime(n.started_at, lang)}</td>
                      <td>{formatTime(n.last_seen_at, lang)}</td>
                      <td>{infoText(n.info)}</td>
                      <td class="actions">
                        {n.status === "stale" && (
                          <ConfirmButton
                            label={t("ops.remove")}
                            question={t("ops.remove_confirm", { node: n.node_name })}
                            onConfirm={() =>
                              nodeAction.run(
                                "DELETE",
                                `/api/system-info/instances/${encodeURIComponent(n.node_name)}`,
                                undefined,
                                "ops.removed",
                              )}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
          : <ApiNotice result={nodes.result} loading={nodes.loading} />}
      </section>

      <section class="stack" data-section="tasks">
        <h2>{t("ops.tasks")}</h2>
        <form
          class="row"
          data-form="log-cleanup"
          onSubmit={(e) => {
            e.preventDefault();
            const at = unixFromLocalInput(before, 0);
            if (at <= 0) {
              taskAction.say({ ok: false, text: t("ops.cleanup_pick_time") });
              return;
            }
            taskAction.run(
              "POST",
              `/api/system-task/log-cleanup?target_timestamp=${at}`,
              undefined,
              "ops.cleanup_started",
            );
          }}
        >
          <label>
            {t("ops.cleanup_before")}
            <input
              type="datetime-local"
              name="before"
              value={before}
              onInput={(e) => setBefore((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="btn btn-danger">{t("ops.cleanup")}</button>
          <button type="button" class="btn" onClick={tasks.reload}>{t("ops.refresh")}</button>
        </form>
        <ActionMessage message={taskAction.message} />
        {tasks.result?.ok
          ? taskList.length === 0
            ? <p class="notice notice-muted" data-state="empty">{t("ops.no_tasks")}</p>
            : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>{t("ops.task")}</th>
                      <th>{t("common.status")}</th>
                      <th>{t("common.created")}</th>
                      <th>{t("ops.updated")}</th>
                      <th>{t("ops.outcome")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {taskList.map((task) => (
                      <tr key={task.task_id} data-task={task.task_id}>
                        <td>
                          {task.type}
                          <br />
                          <code class="muted">{task.task_id.slice(0, 16)}</code>
                        </td>
                        <td>
                          <span
                            class={`badge ${
                              task.status === "succeeded"
                                ? "status-1"
                                : task.status === "failed"
                                ? "status-3"
                                : ""
                            }`}
                            data-status={task.status}
                          >
                            {t(taskStatus[task.status] ?? "status.unknown")}
                          </span>
                        </td>
                        <td>{formatTime(task.created_at, lang)}</td>
                        <td>{formatTime(task.updated_at, lang)}</td>
                        <td data-cell="outcome">{taskOutcome(task, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          : <ApiNotice result={tasks.result} loading={tasks.loading} />}
      </section>
    </div>
  );
}
