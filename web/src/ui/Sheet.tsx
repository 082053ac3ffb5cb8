// A modal panel over the page (the native <dialog>: focus stays inside,
// Escape closes it, the page behind is inert and keeps its layout). On a
// phone it sits at the bottom, within thumb reach; on a wide screen, centred.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Sheet({ label, onClose, children }: { label: string; onClose: () => void; children: ComponentChildren }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="sheet"
      aria-label={label}
      onCancel={(e) => {
        // Escape: let the owner decide (it unmounts us), not the browser.
        e.preventDefault();
        onClose();
      }}
      // However else it closes (a browser may insist on Escape): tell the owner.
      onClose={onClose}
      // A tap on the backdrop lands on the <dialog> itself, not its content.
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <div class="sheet-body">{children}</div>
    </dialog>
  );
}
