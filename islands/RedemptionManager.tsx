/**
 * Redemption codes (admin, `/api/redemption`): paged list and search, bulk create (`POST {name, quota,
 * count, expired_time}` answers the new codes, shown once with a copy button), enable/disable, delete
 * one, and delete every used or expired code (`DELETE /api/redemption/invalid`).
 */
import { useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { usePagedList } from "../client/use_paged_list.ts";
import { useAction } from "../client/use_action.ts";
import { formValues } from "../client/form.ts";
import { formatQuota, formatTime, quotaFromAmount, unixFromLocalInput } from "../client/format.ts";
import { ActionMessage } from "../components/ApiNotice.tsx";
import { ConfirmButton, DeleteButton } from "../components/ConfirmButton.tsx";
import { FieldRow, FormButtons, TextField } from "../components/FormField.tsx";
import { PagedTable } from "../components/PagedTable.tsx";
import { ListToolbar } from "../components/ListToolbar.tsx";
import { StatusToggle } from "../components/RowButton.tsx";
import { SecretOnce } from "../components/SecretOnce.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

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

const statusLabels: Record<number, MessageKey> = {
  1: "redemption.unused",
  2: "status.disabled",
  3: "redemption.used",
};

export default function RedemptionManager({ quotaPerUnit }: { quotaPerUnit: number }) {
  const { t, lang } = useI18n();
  const list = usePagedList<Redemption>("/api/redemption/", { searchPath: "/api/redemption/search" });
  const action = useAction(list.reload);
  const [creating, setCreating] = useState(false);
  const [codes, setCodes] = useState<string[]>();
  const create = async (e: Event) => {
    e.preventDefault();
    const v = formValues(e.currentTarget as HTMLFormElement);
    const quota = quotaFromAmount(String(v.amount), quotaPerUnit);
    const count = Number(v.count);
    if (Number.isNaN(quota) || quota <= 0) return action.say({ ok: false, text: t("token.amount_invalid") });
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      return action.say({ ok: false, text: t("redemption.count_rule") });
    }
    const r = await action.run<string[]>("POST", "/api/redemption/", {
      name: String(v.name).trim(),
      quota,
      count,
      expired_time: unixFromLocalInput(v.expires, 0),
    });
    if (!r.ok) return;
    setCreating(false);
    setCodes(Array.isArray(r.data) ? r.data : []);
  };

  return (
    <div class="manager">
      <ListToolbar placeholder={t("redemption.search")} onSearch={list.search}>
        <button type="button" class="btn btn-primary" onClick={() => setCreating(!creating)}>
          {t("redemption.create")}
        </button>
        <ConfirmButton
          label={t("redemption.delete_invalid")}
          question={t("redemption.delete_invalid_confirm")}
          onConfirm={() => action.run("DELETE", "/api/redemption/invalid", undefined, "common.deleted")}
        />
      </ListToolbar>
      {codes && codes.length > 0 && (
        <SecretOnce
          note={t("redemption.created", { count: codes.length })}
          value={codes.join("\n")}
          onClose={() => setCodes(undefined)}
        />
      )}
      {creating && (
        <form class="form card" onSubmit={create}>
          <TextField label={t("common.name")} name="name" maxLength={20} required />
          <FieldRow>
            <TextField label={t("redemption.amount")} name="amount" inputMode="decimal" required />
            <TextField label={t("redemption.count")} name="count" type="number" min="1" max="100" value="1" />
          </FieldRow>
          <TextField label={t("token.expires")} name="expires" type="datetime-local" />
          <FormButtons submit={t("common.create")} onCancel={() => setCreating(false)} />
        </form>
      )}
      <ActionMessage message={action.message} />
      <PagedTable
        list={list}
        empty={t("redemption.empty")}
        columns={[
          { label: "ID", cell: (r) => r.id },
          { label: t("common.name"), cell: (r) => r.name },
          { label: t("common.status"), cell: (r) => <StatusBadge status={r.status} labels={statusLabels} /> },
          { label: t("redemption.amount"), cell: (r) => formatQuota(r.quota, quotaPerUnit) },
          { label: t("common.created"), cell: (r) => formatTime(r.created_time, lang) },
          {
            label: t("redemption.redeemed"),
            cell: (r) => r.redeemed_time ? formatTime(r.redeemed_time, lang) : "—",
          },
          {
            label: t("common.actions"),
            class: "actions",
            cell: (r) => (
              <>
                {r.status !== 3 && (
                  <StatusToggle
                    enabled={r.status === 1}
                    onToggle={() =>
                      action.run("PUT", "/api/redemption/?status_only=true", {
                        id: r.id,
                        status: r.status === 1 ? 2 : 1,
                      })}
                  />
                )}
                <DeleteButton
                  onConfirm={() =>
                    action.run("DELETE", `/api/redemption/${r.id}`, undefined, "common.deleted")}
                />
              </>
            ),
          },
        ]}
      />
    </div>
  );
}
