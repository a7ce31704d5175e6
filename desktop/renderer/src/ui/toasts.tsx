import { toastStore, useToasts } from './toast-store';

/** Live region: screen readers announce toasts as they appear. */
export function Toasts() {
  const toasts = useToasts();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.tone}`}>
          <span>{toast.message}</span>
          {toast.action && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                toast.action?.run();
                toastStore.getState().dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss notification"
            onClick={() => toastStore.getState().dismiss(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
