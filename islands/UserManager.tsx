/**
 * Users (admin, `/api/user`): paged list and search, create (`POST /api/user/`), edit name, group, quota
 * and remark (`PUT /api/user/`), and New API's manage actions (`POST /api/user/manage {id, action}`:
 * enable, disable, promote, demote, delete). Only root may create or promote admins.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { amountFromQuota, formatQuota, quotaFromAmount } from "../client/format.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { DeleteButton } from "../components/ConfirmButton.tsx";
import { FieldRow, FormButtons, SelectField, TextField } from "../components/FormField.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { ListToolbar } from "../components/ListToolbar.tsx";
import { RowButton, StatusToggle } from "../components/RowButton.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

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
  remark: string;
}

const roleLabels: Record<number, MessageKey> = {
  1: "user.role_user",
  10: "user.role_admin",
  100: "user.role_root",
};
const statusLabels: Record<number, MessageKey> = { 1: "status.enabled", 2: "status.disabled" };

export default function UserManager(
  { quotaPerUnit, viewerRole }: { quotaPerUnit: number; viewerRole: number },
) {
  const { t } = useI18n();
  const list = usePagedList<User>("/api/user/", { searchPath: "/api/user/search" });
  const [mode, setMode] = useState<"create" | User>();
  const action = useAction(() => {
    setMode(undefined);
    list.reload();
  });
  const manage = (u: User, act: string) => action.run("POST", "/api/user/manage", { id: u.id, action: act });
  const save = (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    if (mode === "create") {
      return action.run("POST", "/api/user/", {
        username: String(v.username).trim(),
        display_name: String(v.display_name).trim(),
        password: v.password,
        role: Number(v.role ?? 1),
      });
    }
    if (!mode) return;
    const quota = quotaFromAmount(String(v.amount), quotaPerUnit);
    if (Number.isNaN(quota)) return action.say({ ok: false, text: t("token.amount_invalid") });
    action.run("PUT", "/api/user/", {
      id: mode.id,
      display_name: String(v.display_name).trim(),
      group: String(v.group).trim() || "default",
      quota,
      remark: String(v.remark ?? ""),
    });
  };
  const editing = mode && mode !== "create" ? mode : undefined;
  /** Admins can be demoted by any admin above them; only root promotes. */
  const roleChange = (u: User) =>
    u.role === 10 ? "demote" as const : viewerRole >= 100 && u.role < 10 ? "promote" as const : undefined;

  return (
    <div class="manager">
      <ListToolbar placeholder={t("user.search")} onSearch={list.search}>
        <button type="button" class="btn btn-primary" onClick={() => setMode("create")}>
          {t("user.create")}
        </button>
      </ListToolbar>
      {mode && (
        <form class="form card" onSubmit={save} key={editing?.id ?? "create"}>
          <h2>{editing ? t("user.edit", { name: editing.username }) : t("user.create")}</h2>
          {!editing && (
            <>
              <TextField label={t("auth.username")} name="username" maxLength={20} required />
              <TextField
                label={t("auth.password")}
                name="password"
                type="password"
                minLength={8}
                autocomplete="new-password"
                required
              />
              {viewerRole >= 100 && (
                <SelectField
                  label={t("user.role")}
                  name="role"
                  value="1"
                  options={[["1", t("user.role_user")], ["10", t("user.role_admin")]]}
                />
              )}
            </>
          )}
          <TextField
            label={t("user.display_name")}
            name="display_name"
            maxLength={20}
            value={editing?.display_name}
          />
          {editing && (
            <>
              <FieldRow>
                <TextField label={t("common.group")} name="group" value={editing.group} />
                <TextField
                  label={t("user.quota")}
                  name="amount"
                  inputMode="decimal"
                  value={amountFromQuota(editing.quota, quotaPerUnit)}
                />
              </FieldRow>
              <TextField label={t("user.remark")} name="remark" maxLength={255} value={editing.remark} />
            </>
          )}
          <FormButtons onCancel={() => setMode(undefined)} />
        </form>
      )}
      <ActionMessage message={action.message} />
      <PagedTable
        list={list}
        empty={t("user.empty")}
        columns={[
          { label: "ID", cell: (u) => u.id },
          {
            label: t("auth.username"),
            cell: (u) =>
              u.display_name && u.display_name !== u.username
                ? `${u.username} (${u.display_name})`
                : u.username,
          },
          { label: t("user.role"), cell: (u) => t(roleLabels[u.role] ?? "status.unknown") },
          { label: t("common.status"), cell: (u) => <StatusBadge status={u.status} labels={statusLabels} /> },
          { label: t("common.group"), cell: (u) => u.group },
          { label: t("user.quota"), cell: (u) => formatQuota(u.quota, quotaPerUnit) },
          { label: t("token.used"), cell: (u) => formatQuota(u.used_quota, quotaPerUnit) },
          { label: t("dashboard.requests"), cell: (u) => u.request_count },
          {
            label: t("common.actions"),
            class: "actions",
            cell: (u) => (
              <>
                <RowButton label={t("common.edit")} onClick={() => setMode(u)} />
                <StatusToggle
                  enabled={u.status === 1}
                  onToggle={() => manage(u, u.status === 1 ? "disable" : "enable")}
                />
                {roleChange(u) && (
                  <RowButton
                    label={t(`user.${roleChange(u)!}`)}
                    onClick={() => manage(u, roleChange(u)!)}
                  />
                )}
                <DeleteButton onConfirm={() => manage(u, "delete")} />
              </>
            ),
          },
        ]}
      />
    </div>
  );
}
