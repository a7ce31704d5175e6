import type { KeyboardEvent } from 'react';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { Completion, CompletionContext, CompletionQuery } from './expression-completions';
import { applyCompletion, completionsFor, queryAt } from './expression-completions';
import { hasTemplates, previewTree } from './tree-preview';

interface Props {
  id: string;
  value: string;
  onChange: (value: string) => void;
  context: CompletionContext;
  multiline?: boolean;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
  /** For fields without a visible <label>. */
  ariaLabel?: string;
  /** What to preview when the text is not itself the value (a JSON editor passes the parsed JSON). */
  previewValue?: unknown;
}

function formatPreview(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  // A path the sample lacks shows as missing instead of silently vanishing from objects.
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? '(missing)' : v), 1);
}

/** Live preview of a template (or a JSON tree of them) against the sample context, debounced. */
function usePreview(value: unknown, context: CompletionContext) {
  const [preview, setPreview] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (!hasTemplates(value)) {
      setPreview(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void previewTree(value, context).then((result) => {
        if (current)
          setPreview(
            result.ok
              ? { ok: true, text: formatPreview(result.value) }
              : { ok: false, text: result.message },
          );
      });
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [value, context]);
  return preview;
}

/**
 * A text field for values that may hold `{{ }}` templates: it completes
 * context paths (listbox pattern, arrow keys + Enter/Tab) and previews the
 * evaluated value.
 */
export function ExpressionEditor({
  id,
  value,
  onChange,
  context,
  multiline,
  placeholder,
  describedBy,
  invalid,
  ariaLabel,
  previewValue,
}: Props) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<CompletionQuery | null>(null);
  const [items, setItems] = useState<Completion[]>([]);
  const [active, setActive] = useState(0);
  const pendingCursor = useRef<number | null>(null);
  const listId = useId();
  const previewId = useId();
  const preview = usePreview(previewValue === undefined ? value : previewValue, context);

  const refresh = (text: string, cursor: number) => {
    const next = queryAt(text, cursor);
    setQuery(next);
    setItems(next ? completionsFor(next, context) : []);
    setActive(0);
  };
  const close = () => {
    setQuery(null);
    setItems([]);
  };
  const accept = (completion: Completion) => {
    const element = ref.current;
    if (!element || !query) return;
    const result = applyCompletion(
      value,
      element.selectionStart ?? value.length,
      query,
      completion,
    );
    onChange(result.text);
    close();
    pendingCursor.current = result.cursor;
  };
  // Place the cursor after the inserted path as soon as the new value is in the
  // DOM, before the next keystroke (a frame later would be too late for fast typists).
  useLayoutEffect(() => {
    const element = ref.current;
    if (element && pendingCursor.current !== null) {
      element.focus();
      element.setSelectionRange(pendingCursor.current, pendingCursor.current);
      pendingCursor.current = null;
    }
  }, [value]);
  const onKeyDown = (event: KeyboardEvent) => {
    if (items.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      accept(items[active]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  };

  const open = items.length > 0;
  const shared = {
    id,
    ref,
    value,
    placeholder,
    className: `input expression-input${multiline ? ' is-multiline' : ''}`,
    spellCheck: false,
    role: 'combobox',
    'aria-label': ariaLabel,
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open,
    'aria-controls': listId,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
    'aria-describedby':
      [describedBy, preview ? previewId : undefined].filter(Boolean).join(' ') || undefined,
    'aria-invalid': invalid || undefined,
    onKeyDown,
    onBlur: () => setTimeout(close, 150),
    onChange: (e: { target: { value: string; selectionStart: number | null } }) => {
      onChange(e.target.value);
      refresh(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
  };

  return (
    <div className="expression-editor">
      {multiline ? <textarea rows={3} {...shared} /> : <input type="text" {...shared} />}
      <ul
        id={listId}
        role="listbox"
        className="completions"
        hidden={!open}
        aria-label="Suggestions"
      >
        {items.map((item, index) => (
          <li
            key={item.path}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'is-active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              accept(item);
            }}
          >
            <span className="completion-label">{item.label}</span>
            <span className="completion-detail">{item.detail}</span>
          </li>
        ))}
      </ul>
      {preview && (
        <div
          id={previewId}
          className={`preview ${preview.ok ? 'preview-ok' : 'preview-error'}`}
          data-testid="expression-preview"
        >
          <span className="preview-label">{preview.ok ? 'Preview' : 'Cannot evaluate'}:</span>{' '}
          <code>{preview.text}</code>
        </div>
      )}
    </div>
  );
}
