/** The console's log queries (list pages and stats under each filter), shared by the bench and the test. */
import type { LogFilter } from "../../store/logs.ts";
import { FILL_DAYS } from "./log_fill.ts";

export type ConsoleQuery =
  | { kind: "list"; label: string; filter: LogFilter; page: number }
  | { kind: "stat"; label: string; filter: LogFilter };

export function consoleLogQueries(now: number): ConsoleQuery[] {
  const day = { start: now - (FILL_DAYS / 2) * 86400, end: now - (FILL_DAYS / 2 - 1) * 86400 };
  const list = (label: string, filter: LogFilter, page = 1): ConsoleQuery => ({
    kind: "list",
    label,
    filter,
    page,
  });
  const stat = (label: string, filter: LogFilter): ConsoleQuery => ({ kind: "stat", label, filter });
  return [
    list("admin list, newest first (with total)", {}),
    list("admin list, page 1000", {}, 1000),
    list("admin list, type = consume", { type: 2 }),
    list("admin by username", { username: "user42" }),
    list("admin by token name", { tokenName: "tok-42-1" }),
    list("admin by model", { modelName: "model-7" }),
    list("admin by channel", { channelId: 5 }),
    list("admin by group", { group: "vip" }),
    list("admin by request id", { requestId: "req-5000" }),
    list("admin time range (1 day, 15 days ago)", day),
    list("admin type + time range", { ...day, type: 2 }),
    list("admin model + time range", { ...day, modelName: "model-7" }),
    list("admin group + time range", { ...day, group: "vip" }),
    list("self list (user_id)", { userId: 42 }),
    list("self by model + time range", { userId: 42, modelName: "model-7", ...day }),
    list("self by token name", { userId: 42, tokenName: "tok-42-1" }),
    stat("stat, everything", {}),
    stat("stat, 1 day", day),
    stat("stat, username", { username: "user42" }),
    stat("stat, channel (all time)", { channelId: 5 }),
    stat("stat, group (all time)", { group: "vip" }),
    stat("stat, model + time range", { modelName: "model-7", ...day }),
    stat("self stat", { userId: 42 }),
  ];
}
