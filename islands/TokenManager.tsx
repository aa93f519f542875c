/**
 * API keys (`/api/token`): paged list and search, create and edit with every New API option, the new
 * key shown once with a copy button, enable/disable (`PUT /api/token/?status_only=true`), regenerate
 * (`POST /api/token/:id/regenerate`: keys are stored hashed, so a lost key is replaced, never revealed)
 * and delete.
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { useAction } from "../client/use_action.ts";
import { formatQuota, formatTime } from "../client/format.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { ConfirmButton, DeleteButton } from "../components/ConfirmButton.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { ListToolbar } from "../components/ListToolbar.tsx";
import { RowButton, StatusToggle } from "../components/RowButton.tsx";
import { SecretOnce } from "../components/SecretOnce.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { type Token, TokenForm } from "../components/TokenForm.tsx";

const statusLabels: Record<number, MessageKey> = {
  1: "status.enabled",
  2: "status.disabled",
  3: "status.expired",
  4: "status.exhausted",
};

export default function TokenManager({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const list = usePagedList<Token>("/api/token/", { pageSize: 10, searchPath: "/api/token/search" });
  const action = useAction(list.reload);
  const [editing, setEditing] = useState<Token | "new">();
  const [newKey, setNewKey] = useState<string>();
  const money = (q: number) => formatQuota(q, quotaPerUnit);
  const regenerate = async (tok: Token) => {
    const r = await action.run<{ key?: string }>(
      "POST",
      `/api/token/${tok.id}/regenerate`,
      undefined,
      "token.regenerated",
    );
    if (r.ok && r.data?.key) setNewKey(r.data.key);
  };

  return (
    <div class="manager">
      <ListToolbar placeholder={t("token.search")} onSearch={list.search}>
        <button type="button" class="btn btn-primary" onClick={() => setEditing("new")}>
          {t("token.create")}
        </button>
      </ListToolbar>
      {newKey && (
        <SecretOnce
          note={t("token.key_once")}
          value={newKey}
          onClose={() => setNewKey(undefined)}
        />
      )}
      {editing && (
        <TokenForm
          token={editing === "new" ? undefined : editing}
          quotaPerUnit={quotaPerUnit}
          action={action}
          onSaved={(key) => {
            setEditing(undefined);
            if (key) setNewKey(key);
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ActionMessage message={action.message} />
      <PagedTable
        list={list}
        empty={t("token.empty")}
        columns={[
          { label: t("common.name"), cell: (tok) => tok.name },
          {
            label: t("common.status"),
            cell: (tok) => <StatusBadge status={tok.status} labels={statusLabels} />,
          },
          {
            label: t("token.remaining"),
            cell: (tok) => tok.unlimited_quota ? t("token.unlimited") : money(tok.remain_quota),
          },
          { label: t("token.used"), cell: (tok) => money(tok.used_quota) },
          { label: t("token.key"), cell: (tok) => <code>{tok.key}</code> },
          { label: t("common.created"), cell: (tok) => formatTime(tok.created_time, lang) },
          {
            label: t("token.expires"),
            cell: (tok) => tok.expired_time === -1 ? t("token.never") : formatTime(tok.expired_time, lang),
          },
          {
            label: t("common.actions"),
            class: "actions",
            cell: (tok) => (
              <>
                <RowButton label={t("common.edit")} onClick={() => setEditing(tok)} />
                <StatusToggle
                  enabled={tok.status === 1}
                  onToggle={() =>
                    action.run("PUT", "/api/token/?status_only=true", {
                      id: tok.id,
                      status: tok.status === 1 ? 2 : 1,
                    })}
                />
                <ConfirmButton
                  label={t("token.regenerate")}
                  question={t("token.regenerate_confirm")}
                  danger={false}
                  onConfirm={() => regenerate(tok)}
                />
                <DeleteButton
                  onConfirm={() => action.run("DELETE", `/api/token/${tok.id}`, undefined, "common.deleted")}
                />
              </>
            ),
          },
        ]}
      />
    </div>
  );
}
