/**
 * `useAction(onDone)`: runs one `/api` write for a button or form and keeps the one-line outcome an
 * island shows (`<ActionMessage>`): the API's own message on failure, a success text otherwise.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { api, type ApiResult } from "./api.ts";

export interface Outcome {
  ok: boolean;
  text: string;
}

export interface Action {
  message?: Outcome;
  /** Shows a message of the island's own (a form check that failed, a count). */
  say(message: Outcome | undefined): void;
  /** Sends the request; on success says `done` (default "Saved") and calls `onDone`. */
  run<T>(method: string, path: string, body?: unknown, done?: MessageKey): Promise<ApiResult<T>>;
}

export function useAction(onDone?: () => void): Action {
  const { t } = useI18n();
  const [message, say] = useState<Outcome>();
  return {
    message,
    say,
    run: async <T>(method: string, path: string, body?: unknown, done: MessageKey = "common.saved") => {
      const r = await api<T>(method, path, body);
      say(
        r.ok
          ? { ok: true, text: t(done) }
          : { ok: false, text: r.message || t("common.error", { status: r.status }) },
      );
      if (r.ok) onDone?.();
      return r;
    },
  };
}
