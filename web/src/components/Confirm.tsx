import { useEffect, useRef } from 'react';

/** A modal question with a native <dialog>: focus is trapped and Escape cancels. */
export function Confirm({ open, message, confirmLabel, onConfirm, onCancel }: { open: boolean; message: string; confirmLabel: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onCancel={onCancel} aria-label="Confirm">
      <p>{message}</p>
      <div className="row">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} autoFocus>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
