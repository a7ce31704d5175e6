import type { ReactNode } from 'react';
import { useEffect, useId, useRef } from 'react';

/** A modal on the native <dialog>: focus trap, Escape and the top layer for free. */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {/* Focusable so that keyboard users can scroll a long body (help text, lists). */}
      <div className="dialog-body" tabIndex={0} role="region" aria-labelledby={titleId}>
        {children}
      </div>
    </dialog>
  );
}
