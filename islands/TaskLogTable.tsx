/**
 * Task logs (`kind: "task"`: Suno and video, `GET /api/task/self` or `/api/task/`) and Midjourney logs
 * (`kind: "mj"`: `/api/mj/self` or `/api/mj/`): status and progress, duration, cost, the fail reason, and
 * previews of the images, videos and audio a task produced. Admins see every user's rows and a channel
 * filter. On a phone rows are cards; a row opens its detail (prompt, ids, large previews).
 */
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime, unixFromLocalInput } from "../client/format.ts";
import { taskMedia } from "../client/task_media.ts";
import { SelectField, TextField } from "../components/FormField.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { TaskMediaList } from "../components/TaskMediaList.tsx";

/** The fields both listings share, read from either row shape. */
interface TaskRow {
  id: number;
  user_id: number;
  username?: string;
  channel_id: number;
  action: string;
  status: string;
  progress: string;
  fail_reason: string;
  submit_time: number;
  start_time: number;
  finish_time: number;
  quota: number;
  // tasks
  task_id?: string;
  platform?: string;
  data?: unknown;
  // midjourneys (times in milliseconds)
  mj_id?: string;
  prompt?: string;
  description?: string;
  image_url?: string;
  video_url?: string;
  video_urls?: string;
}

export const TASK_STATUSES: Record<string, MessageKey> = {
  NOT_START: "task.status_not_start",
  SUBMITTED: "task.status_submitted",
  QUEUED: "task.status_queued",
  IN_PROGRESS: "task.status_in_progress",
  MODAL: "task.status_modal",
  SUCCESS: "task.status_success",
  FAILURE: "task.status_failure",
  UNKNOWN: "task.status_unknown",
};

const STATUS_CLASS: Record<string, string> = { SUCCESS: "status-1", FAILURE: "status-2" };

/** "45%" → 45; a finished task without a number reads 100. */
function percent(row: TaskRow): number {
  const n = parseInt(row.progress, 10);
  if (Number.isFinite(n)) return Math.min(100, Math.max(0, n));
  return row.status === "SUCCESS" ? 100 : 0;
}

const time = (value: string | boolean | undefined) => {
  const unix = unixFromLocalInput(value, 0);
  return unix ? String(unix) : "";
};

export default function TaskLogTable(
  { kind, admin, quotaPerUnit }: { kind: "task" | "mj"; admin: boolean; quotaPerUnit: number },
) {
  const { t, lang } = useI18n();
  const mj = kind === "mj";
  const base = mj ? "/api/mj" : "/api/task";
  const list = usePagedList<TaskRow>(admin ? `${base}/` : `${base}/self`);
  // Midjourney stores milliseconds, tasks seconds.
  const seconds = (v: number) => (mj ? Math.floor(v / 1000) : v);
  const mediaOf = (row: TaskRow) =>
    taskMedia(
      mj ? { image_url: row.image_url, video_url: row.video_url, video_urls: row.video_urls } : row.data,
    );
  const idOf = (row: TaskRow) => (mj ? row.mj_id : row.task_id) || "—";
  const duration = (row: TaskRow) => {
    const from = seconds(row.start_time || row.submit_time);
    const to = seconds(row.finish_time);
    return from && to && to >= from ? `${to - from} s` : "—";
  };
  const applyFilters = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const id = String(v.id ?? "").trim();
    list.filter({
      [mj ? "mj_id" : "task_id"]: id,
      status: mj ? "" : String(v.status ?? ""),
      channel_id: admin ? String(v.channel_id ?? "").trim() : "",
      start_timestamp: time(v.start),
      end_timestamp: time(v.end),
    });
  };

  return (
    <div class="manager">
      <form class="filters card" onSubmit={applyFilters}>
        <TextField label={t("task.id")} name="id" />
        {!mj && (
          <SelectField
            label={t("task.status")}
            name="status"
            value=""
            options={[
              ["", t("log.type_all")],
              ...Object.entries(TASK_STATUSES).filter(([s]) => s !== "MODAL").map((
                [s, key],
              ): [string, string] => [s, t(key)]),
            ]}
          />
        )}
        {admin && <TextField label={t("log.channel")} name="channel_id" inputMode="numeric" />}
        <TextField label={t("log.from")} name="start" type="datetime-local" />
        <TextField label={t("log.to")} name="end" type="datetime-local" />
        <button type="submit" class="btn btn-primary">{t("common.search")}</button>
      </form>
      <PagedTable
        list={list}
        empty={t("task.empty")}
        cards
        detail={(row) => (
          <div class="task-detail">
            <dl class="log-facts">
              <dt>{t("task.id")}</dt>
              <dd>{idOf(row)}</dd>
              {row.prompt && (
                <>
                  <dt>{t("task.prompt")}</dt>
                  <dd>{row.prompt}</dd>
                </>
              )}
              {row.description && (
                <>
                  <dt>{t("task.description")}</dt>
                  <dd>{row.description}</dd>
                </>
              )}
              <dt>{t("task.started")}</dt>
              <dd>{formatTime(seconds(row.start_time), lang)}</dd>
              <dt>{t("task.finished")}</dt>
              <dd>{formatTime(seconds(row.finish_time), lang)}</dd>
              {row.fail_reason && (
                <>
                  <dt>{t("task.fail_reason")}</dt>
                  <dd class="error-text">{row.fail_reason}</dd>
                </>
              )}
            </dl>
            <TaskMediaList media={mediaOf(row)} large />
          </div>
        )}
        columns={[
          { label: t("task.submitted"), cell: (row) => formatTime(seconds(row.submit_time), lang) },
          admin && {
            label: t("auth.username"),
            cell: (row) => row.username || `#${row.user_id}`,
          },
          admin &&
          { label: t("log.channel_col"), cell: (row) => row.channel_id ? `#${row.channel_id}` : "—" },
          !mj && { label: t("task.platform"), cell: (row) => row.platform || "—" },
          { label: t("task.action"), cell: (row) => row.action || "—" },
          { label: t("task.id"), cell: idOf, class: "mono" },
          {
            label: t("task.status"),
            cell: (row) => (
              <span class="task-status">
                <span class={`badge ${STATUS_CLASS[row.status] ?? ""}`}>
                  {t(TASK_STATUSES[row.status] ?? "task.status_unknown")}
                </span>
                <progress max={100} value={percent(row)} aria-label={t("task.progress")} />
                <span class="muted">{percent(row)}%</span>
              </span>
            ),
          },
          { label: t("log.duration"), cell: duration },
          { label: t("log.cost"), cell: (row) => formatQuota(row.quota, quotaPerUnit) },
          {
            label: t("task.result"),
            cell: (row) => {
              if (row.status === "FAILURE") return <span class="error-text">{row.fail_reason || "—"}</span>;
              const media = mediaOf(row);
              return media.length ? <TaskMediaList media={media} /> : "—";
            },
          },
        ]}
      />
    </div>
  );
}
