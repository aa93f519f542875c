/** What every task kind over `tasks` rows shares (Suno, video): the timeout, the failed update, the write. */
import type { AppDeps } from "../server/deps.ts";
import { type Task, TaskStatus, type TaskUpdate, updateTask } from "../store/tasks.ts";

/** TASK_TIMEOUT_MINUTES applied to a `tasks` row (0 turns it off). */
export function taskTimedOut(deps: AppDeps, t: Task, nowMs: number): string | undefined {
  const minutes = deps.config.taskTimeoutMinutes;
  return minutes > 0 && t.submitTime > 0 && Math.floor(nowMs / 1000) - t.submitTime > minutes * 60
    ? `task timed out (over ${minutes} minutes)`
    : undefined;
}

/** What every `tasks`-row kind shares: the failed update, the comparison, the write. */
export const taskRowKind = {
  upstreamId: (t: Task) => t.taskId,
  submittedAtMs: (t: Task) => t.submitTime * 1000,
  timedOut: taskTimedOut,
  failure: (t: Task, reason: string, nowMs: number): TaskUpdate => ({
    status: TaskStatus.failure,
    progress: "100%",
    failReason: reason,
    startTime: t.startTime,
    finishTime: Math.floor(nowMs / 1000),
    data: t.data,
  }),
  changed: (t: Task, u: TaskUpdate) =>
    u.status !== t.status || u.progress !== t.progress || u.failReason !== t.failReason ||
    u.data !== t.data || u.startTime !== t.startTime || u.finishTime !== t.finishTime,
  done: (u: TaskUpdate) => u.status === TaskStatus.success || u.status === TaskStatus.failure,
  failReason: (_t: Task, u: TaskUpdate) => u.status === TaskStatus.failure ? u.failReason : undefined,
  write: updateTask,
};
