/**
 * Users (admin, `/api/user`): paged list and search, create (`POST /api/user/`), edit group and quota
 * (`PUT /api/user/`), and New API's manage actions (`POST /api/user/manage {id, action}`).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { api, asPage } from "../client/api.ts";
import { useApiGet } from "../client/use_api.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, quotaFromAmount } from "../client/format.ts";
import { ActionMessage, ApiNotice } from "../components/ApiNotice.tsx";
import { Pager } from "../components/Pager.tsx";

interface User {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  group: string;
  quota: number;
  used_quota: number;
  request_count: number;
}

const PAGE_SIZE = 20;
const roleLabels: Record<number, MessageKey> = {
  1: "user.role_user",
  10: "user.role_admin",
  100: "user.role_root",
};

export default function UserManager({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [keyword, setKeyword] = useState("");
  const [mode, setMode] = useState<"create" | User>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const query = `p=${page}&page_size=${PAGE_SIZE}`;
  const list = useApiGet<unknown>(
    keyword ? `/api/user/search?keyword=${encodeURIComponent(keyword)}&${query}` : `/api/user/?${query}`,
  );
  const data = list.result?.ok ? asPage<User>(list.result.data, page, PAGE_SIZE) : undefined;

  const send = async (method: string, path: string, body: unknown) => {
    const r = await api(method, path, body);
    setMessage(r.ok ? { ok: true, text: t("common.saved") } : { ok: false, text: r.message });
    if (r.ok) {
      setMode(undefined);
      list.reload();
    }
  };
  const manage = (u: User, action: string) => {
    if (action === "delete" && !confirm(t("common.confirm_delete"))) return;
    send("POST", "/api/user/manage", { id: u.id, action });
  };
  const save = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    if (mode === "create") {
      return send("POST", "/api/user/", {
        username: String(v.username).trim(),
        display_name: String(v.display_name).trim(),
        password: v.password,
      });
    }
    if (!mode) return;
    const quota = quotaFromAmount(String(v.amount), quotaPerUnit);
    if (Number.isNaN(quota)) return setMessage({ ok: false, text: t("token.amount_invalid") });
    send("PUT", "/api/user/", {
      id: mode.id,
      username: mode.username,
      display_name: String(v.display_name).trim(),
      group: String(v.group).trim() || "default",
      quota,
    });
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
          <input name="keyword" type="search" placeholder={t("user.search")} aria-label={t("user.search")} />
          <button type="submit" class="btn">{t("common.search")}</button>
        </form>
        <button type="button" class="btn btn-primary" onClick={() => setMode("create")}>
          {t("user.create")}
        </button>
      </div>
      {mode && (
        <form class="form card" onSubmit={save} key={mode === "create" ? "create" : mode.id}>
          <h2>{mode === "create" ? t("user.create") : t("user.edit", { name: mode.username })}</h2>
          {mode === "create" && (
            <>
              <label>
                {t("auth.username")}
                <input name="username" maxLength={20} required />
              </label>
              <label>
                {t("auth.password")}
                <input name="password" type="password" minLength={8} autocomplete="new-password" required />
              </label>
            </>
          )}
          <label>
            {t("user.display_name")}
            <input name="display_name" defaultValue={mode === "create" ? "" : mode.display_name} />
          </label>
          {mode !== "create" && (
            <div class="row">
              <label>
                {t("common.group")}
                <input name="group" defaultValue={mode.group} />
              </label>
              <label>
                {t("user.quota")}
                <input name="amount" inputMode="decimal" defaultValue={String(mode.quota / quotaPerUnit)} />
              </label>
            </div>
          )}
          <div class="row">
            <button type="submit" class="btn btn-primary">{t("common.save")}</button>
            <button type="button" class="btn btn-ghost" onClick={() => setMode(undefined)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      )}
      <ActionMessage message={message} />
      {data
        ? data.items.length === 0
          ? <p class="notice notice-muted" data-state="empty">{t("user.empty")}</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>ID</th>
                    <th>{t("auth.username")}</th>
                    <th>{t("user.role")}</th>
                    <th>{t("common.status")}</th>
                    <th>{t("common.group")}</th>
                    <th>{t("user.quota")}</th>
                    <th>{t("token.used")}</th>
                    <th>{t("dashboard.requests")}</th>
                    <th>{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((u) => (
                    <tr key={u.id}>
                      <td>{u.id}</td>
                      <td>
                        {u.username}
                        {u.display_name && u.display_name !== u.username ? ` (${u.display_name})` : ""}
                      </td>
                      <td>{t(roleLabels[u.role] ?? "status.unknown")}</td>
                      <td>
                        <span class={`badge status-${u.status}`}>
                          {u.status === 1 ? t("status.enabled") : t("status.disabled")}
                        </span>
                      </td>
                      <td>{u.group}</td>
                      <td>{formatQuota(u.quota, quotaPerUnit)}</td>
                      <td>{formatQuota(u.used_quota, quotaPerUnit)}</td>
                      <td>{u.request_count}</td>
                      <td class="actions">
                        <button type="button" class="btn btn-small" onClick={() => setMode(u)}>
                          {t("common.edit")}
                        </button>
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() => manage(u, u.status === 1 ? "disable" : "enable")}
                        >
                          {u.status === 1 ? t("common.disable") : t("common.enable")}
                        </button>
                        {u.role < 10 && (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() => manage(u, "promote")}
                          >
                            {t("user.promote")}
                          </button>
                        )}
                        {u.role === 10 && (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() => manage(u, "demote")}
                          >
                            {t("user.demote")}
                          </button>
                        )}
                        <button
                          type="button"
                          class="btn btn-small btn-danger"
                          onClick={() => manage(u, "delete")}
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
