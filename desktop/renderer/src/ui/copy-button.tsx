import { runWithToast } from './toast-action';

/** Copies `text` to the clipboard, saying so (or why not) in a toast. */
export function CopyButton({
  text,
  label,
  copied,
}: {
  text: string;
  label: string;
  copied: string;
}) {
  return (
    <button
      type="button"
      className="btn"
      onClick={() => void runWithToast(() => navigator.clipboard.writeText(text), copied, 'info')}
    >
      {label}
    </button>
  );
}
