/**
 * Redemption codes (admin, `/api/redemption`): paged list, bulk create (`POST {name, quota, count,
 * expired_time}` answers the new codes), enable/disable and delete.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { api, asPage } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime, quotaFromAmount } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { CopyButton } from "../components/CopyButton.tsx";
import { Pager } from "../components/Pager.tsx";

interface Redemption {
  id: number;
  name: string;
  key: string;
  status: number;
  quota: number;
  created_time: number;
  redeemed_time: number;
  expired_time: number;
  used_user_id: number;
}

const PAGE_SIZE = 20;
const statusLabels: Record<number, MessageKey> = {
  1: "redemption.unused",
  2: "status.disabled",
  3: "redemption.used",
};

export default function RedemptionManager({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [codes, setCodes] = useState<string[]>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const list = useApiGet<unknown>(`/api/redemption/?p=${page}&page_size=${PAGE_SIZE}`);
  const data = list.result?.ok ? asPage<Redemption>(list.result.data, page, PAGE_SIZE) : undefined;

  const act = async (method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    setMessage(r.ok ? { ok: true, text: t("common.saved") } : { ok: false, text: r.message });
    if (r.ok) list.reload();
  };
  const create = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const quota = quotaFromAmount(String(v.amount), quotaPerUnit);
    const count = Number(v.count);
    if (Number.isNaN(quota) || quota <= 0) return setMessage({ ok: false, text: t("token.amount_invalid") });
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      return setMessage({ ok: false, text: t("redemption.count_rule") });
    }
    const expires = String(v.expires);
    const r = await api<string[]>("POST", "/api/redemption/", {
      name: String(v.name).trim(),
      quota,
      count,
      expired_time: expires ? Math.floor(new Date(expires).getTime() / 1000) : 0,
    });
    if (!r.ok) return setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    setCreating(false);
    setCodes(Array.isArray(r.data) ? r.data : []);
    list.reload();
  };

  return (
    <div class="manager">
      <div class="toolbar">
        <button type="button" class="btn btn-primary" onClick={() => setCreating(!creating)}>
          {t("redemption.create")}
        </button>
      </div>
      {codes && codes.length > 0 && (
        <div class="card key-once" role="alert">
          <p>{t("redemption.created", { count: codes.length })}</p>
          <pre class="secret">{codes.join("\n")}</pre>
          <CopyButton value={codes.join("\n")} />
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setCodes(undefined)}>
            {t("common.close")}
          </button>
        </div>
      )}
      {creating && (
        <form class="form card" onSubmit={create}>
          <label>
            {t("common.name")}
            <input name="name" maxLength={20} required />
          </label>
          <div class="row">
            <label>
              {t("redemption.amount")}
              <input name="amount" inputMode="decimal" required />
            </label>
            <label>
              {t("redemption.count")}
              <input name="count" type="number" min="1" max="100" defaultValue="1" />
            </label>
          </div>
          <label>
            {t("token.expires")}
            <input name="expires" type="datetime-local" />
          </label>
          <button type="submit" class="btn btn-primary">{t("common.create")}</button>
        </form>
      )}
      <ActionMessage message={message} />
      {data
        ? data.items.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("redemption.empty")}</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>ID</th>
                    <th>{t("common.name")}</th>
                    <th>{t("common.status")}</th>
                    <th>{t("redemption.amount")}</th>
                    <th>{t("common.created")}</th>
                    <th>{t("redemption.redeemed")}</th>
                    <th>{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((r) => (
                    <tr key={r.id}>
                      <td>{r.id}</td>
                      <td>{r.name}</td>
                      <td>
                        <span class={`badge status-${r.status}`}>
                          {t(statusLabels[r.status] ?? "status.unknown")}
                        </span>
                      </td>
                      <td>{formatQuota(r.quota, quotaPerUnit)}</td>
                      <td>{formatTime(r.created_time, lang)}</td>
                      <td>{r.redeemed_time ? formatTime(r.redeemed_time, lang) : "—"}</td>
                      <td class="actions">
                        {r.status !== 3 && (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() =>
                              act("PUT", "/api/redemption/?status_only=true", {
                                id: r.id,
                                status: r.status === 1 ? 2 : 1,
                              })}
                          >
                            {r.status === 1 ? t("common.disable") : t("common.enable")}
                          </button>
                        )}
                        <button
                          type="button"
                          class="btn btn-small btn-danger"
                          onClick={() =>
                            confirm(t("common.confirm_delete")) && act("DELETE", `/api/redemption/${r.id}`)}
                        >
                          {t("common.delete")}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={setPage} />
            </div>
          )
        : <ApiNotice result={list.result} loading={list.loading} />}
    </div>
  );
}
