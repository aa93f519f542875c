/**
 * API keys (`/api/token`): paged list and search, create with every New API option, the new key shown once
 * with a copy button, enable/disable (`PUT /api/token/?status_only=true`) and delete.
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

interface Token {
  id: number;
  name: string;
  key: string;
  status: number;
  remain_quota: number;
  used_quota: number;
  unlimited_quota: boolean;
  created_time: number;
  expired_time: number;
  group?: string;
}

const PAGE_SIZE = 10;
const statusLabels: Record<number, MessageKey> = {
  1: "status.enabled",
  2: "status.disabled",
  3: "status.expired",
  4: "status.exhausted",
};

export default function TokenManager({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  const [keyword, setKeyword] = useState("");
  const [creating, setCreating] = useState(false);
  const [newKey, setNewKey] = useState<string>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const query = `p=${page}&page_size=${PAGE_SIZE}`;
  const path = keyword
    ? `/api/token/search?keyword=${encodeURIComponent(keyword)}&${query}`
    : `/api/token/?${query}`;
  const list = useApiGet<unknown>(path);
  const data = list.result?.ok ? asPage<Token>(list.result.data, page, PAGE_SIZE) : undefined;

  const act = async (method: string, url: string, body?: unknown) => {
    const r = await api(method, url, body);
    setMessage(r.ok ? { ok: true, text: t("common.saved") } : { ok: false, text: r.message });
    if (r.ok) list.reload();
  };

  const create = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const unlimited = v.unlimited_quota === true;
    const remain = unlimited ? 0 : quotaFromAmount(String(v.amount), quotaPerUnit);
    if (Number.isNaN(remain)) return setMessage({ ok: false, text: t("token.amount_invalid") });
    const expires = String(v.expires);
    const body = {
      name: String(v.name).trim(),
      remain_quota: remain,
      unlimited_quota: unlimited,
      expired_time: expires ? Math.floor(new Date(expires).getTime() / 1000) : -1,
      model_limits_enabled: v.model_limits_enabled === true,
      model_limits: String(v.model_limits).split(",").map((s) => s.trim()).filter(Boolean).join(","),
      allow_ips: String(v.allow_ips).trim(),
      group: String(v.group).trim(),
    };
    const r = await api<{ key?: string }>("POST", "/api/token/", body);
    if (!r.ok) return setMessage({ ok: false, text: r.status === 404 ? t("common.unavailable") : r.message });
    setCreating(false);
    setNewKey(r.data?.key);
    setMessage({ ok: true, text: t("token.created") });
    list.reload();
  };

  return (
    <div class="manager">
      <div class="toolbar">
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setPage(1);
            setKeyword(String(formValues(e.currentTarget as HTMLFormElement).keyword).trim());
          }}
        >
          <input
            name="keyword"
            type="search"
            placeholder={t("token.search")}
            aria-label={t("token.search")}
          />
          <button type="submit" class="btn">{t("common.search")}</button>
        </form>
        <button type="button" class="btn btn-primary" onClick={() => setCreating(!creating)}>
          {t("token.create")}
        </button>
      </div>
      {newKey && (
        <div class="card key-once" role="alert">
          <p>{t("token.key_once")}</p>
          <code class="secret">{newKey}</code> <CopyButton value={newKey} />
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setNewKey(undefined)}>
            {t("common.close")}
          </button>
        </div>
      )}
      {creating && (
        <form class="form card" onSubmit={create}>
          <label>
            {t("common.name")}
            <input name="name" maxLength={50} required />
          </label>
          <div class="row">
            <label>
              {t("token.amount")}
              <input name="amount" inputMode="decimal" defaultValue="0" />
            </label>
            <label class="check">
              <input name="unlimited_quota" type="checkbox" /> {t("token.unlimited")}
            </label>
          </div>
          <label>
            {t("token.expires")}
            <input name="expires" type="datetime-local" />
            <small class="muted">{t("token.expires_hint")}</small>
          </label>
          <label class="check">
            <input name="model_limits_enabled" type="checkbox" /> {t("token.model_limits_enabled")}
          </label>
          <label>
            {t("token.model_limits")}
            <input name="model_limits" placeholder="gpt-4o-mini, claude-sonnet-4" />
          </label>
          <label>
            {t("token.allow_ips")}
            <textarea name="allow_ips" rows={2} placeholder="203.0.113.7" />
          </label>
          <label>
            {t("common.group")}
            <input name="group" placeholder="default" />
          </label>
          <button type="submit" class="btn btn-primary">{t("common.create")}</button>
        </form>
      )}
      <ActionMessage message={message} />
      {data
        ? data.items.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("token.empty")}</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("common.name")}</th>
                    <th>{t("common.status")}</th>
                    <th>{t("token.remaining")}</th>
                    <th>{t("token.used")}</th>
                    <th>{t("token.key")}</th>
                    <th>{t("common.created")}</th>
                    <th>{t("token.expires")}</th>
                    <th>{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((tok) => (
                    <tr key={tok.id}>
                      <td>{tok.name}</td>
                      <td>
                        <span class={`badge status-${tok.status}`}>
                          {t(statusLabels[tok.status] ?? "status.unknown")}
                        </span>
                      </td>
                      <td>
                        {tok.unlimited_quota
                          ? t("token.unlimited")
                          : formatQuota(tok.remain_quota, quotaPerUnit)}
                      </td>
                      <td>{formatQuota(tok.used_quota, quotaPerUnit)}</td>
                      <td>
                        <code>{tok.key}</code>
                      </td>
                      <td>{formatTime(tok.created_time, lang)}</td>
                      <td>
                        {tok.expired_time === -1 ? t("token.never") : formatTime(tok.expired_time, lang)}
                      </td>
                      <td class="actions">
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() =>
                            act("PUT", "/api/token/?status_only=true", {
                              id: tok.id,
                              status: tok.status === 1 ? 2 : 1,
                            })}
                        >
                          {tok.status === 1 ? t("common.disable") : t("common.enable")}
                        </button>
                        <button
                          type="button"
                          class="btn btn-small btn-danger"
                          onClick={() =>
                            confirm(t("common.confirm_delete")) && act("DELETE", `/api/token/${tok.id}`)}
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
