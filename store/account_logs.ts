/**
 * Single log rows for account events (top-ups, admin quota changes, logins), written directly with New
 * API's `logs` columns. Consume logs from the relay are batched elsewhere; these are rare and must not
 * wait for a batch (a top-up row belongs to the transaction that credits the quota).
 */
import { type Db, nowSeconds } from "./db.ts";
import type { NewLog } from "./logs.ts";

/** New API's log types used here (consume = 2 and error = 5 are written by the relay). */
export const AccountLogType = { topup: 1, manage: 3, system: 4, login: 7 } as const;

export interface AccountLogEntry {
  userId: number;
  username: string;
  type: number;
  content: string;
  quota?: number;
  ip?: string;
}

/** The row for `entry` as a NewLog, for a change that adds it (`transactionWithLogs`); quota ≥ 0 there. */
export function accountLogRow(entry: AccountLogEntry): NewLog {
  return { ...entry, quota: entry.quota ?? 0, ip: entry.ip ?? "" };
}

/** Writes the row at once (pass the log database, `deps.logDb`); quota may be negative (a subtraction). */
export async function insertAccountLog(db: Db, entry: AccountLogEntry): Promise<void> {
  await db.exec(
    `INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota,
       prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, other)
     VALUES (?, ?, ?, ?, ?, '', '', ?, 0, 0, 0, ?, 0, 0, '', ?, '')`,
    [
      entry.userId,
      nowSeconds(),
      entry.type,
      entry.content,
      entry.username,
      entry.quota ?? 0,
      false,
      entry.ip ?? "",
    ],
  );
}
