/**
 * A button that asks first: it opens a modal `<dialog>` with the question, and runs `onConfirm` only when
 * the confirm button in it is pressed (Escape or Cancel close it).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/context.ts";

export function ConfirmButton(
  { label, question, onConfirm, danger = true }: {
    label: string;
    question: string;
    onConfirm(): void;
    danger?: boolean;
  },
) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (asking && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [asking]);
  const answer = (yes: boolean) => {
    dialog.current?.close();
    setAsking(false);
    if (yes) onConfirm();
  };
  return (
    <>
      <button
        type="button"
        class={`btn btn-small${danger ? " btn-danger" : ""}`}
        onClick={(e) => {
          e.stopPropagation();
          setAsking(true);
        }}
      >
        {label}
      </button>
      {asking && (
        <dialog
          ref={dialog}
          class="confirm card"
          onCancel={() => setAsking(false)}
          onClick={(e) => e.stopPropagation()}
        >
          <p>{question}</p>
          <div class="row">
            <button type="button" class="btn btn-ghost" onClick={() => answer(false)}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              class={`btn ${danger ? "btn-danger" : "btn-primary"}`}
              data-confirm
              onClick={() => answer(true)}
            >
              {label}
            </button>
          </div>
        </dialog>
      )}
    </>
  );
}

/** The row's "Delete" button, asking "Delete this item? This cannot be undone." first. */
export function DeleteButton({ onConfirm }: { onConfirm(): void }) {
  const { t } = useI18n();
  return (
    <ConfirmButton label={t("common.delete")} question={t("common.confirm_delete")} onConfirm={onConfirm} />
  );
}
