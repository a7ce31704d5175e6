import type { CompletionContext } from './expression-completions';
import { ExpressionEditor } from './expression-editor';

/** A string map (headers, query) as rows of name / value, values with templates. */
export function KeyValueEditor(props: {
  id: string;
  label: string;
  value: unknown;
  onChange: (value: Record<string, unknown> | undefined) => void;
  context: CompletionContext;
}) {
  const entries =
    props.value && typeof props.value === 'object'
      ? Object.entries(props.value as Record<string, unknown>)
      : [];
  const write = (next: [string, unknown][]) =>
    props.onChange(next.length === 0 ? undefined : Object.fromEntries(next));
  return (
    <div className="kv-editor" id={props.id}>
      {entries.map(([key, value], index) => (
        <div className="kv-row" key={index}>
          <input
            className="input kv-key"
            aria-label={`${props.label} name ${index + 1}`}
            value={key}
            onChange={(e) =>
              write(entries.map((entry, i) => (i === index ? [e.target.value, entry[1]] : entry)))
            }
          />
          <ExpressionEditor
            id={`${props.id}-v${index}`}
            value={typeof value === 'string' ? value : JSON.stringify(value)}
            onChange={(text) =>
              write(entries.map((entry, i) => (i === index ? [entry[0], text] : entry)))
            }
            context={props.context}
            ariaLabel={`${props.label} value ${index + 1}`}
          />
          <button
            type="button"
            className="icon-btn"
            aria-label={`Remove ${props.label} ${key || index + 1}`}
            onClick={() => write(entries.filter((_, i) => i !== index))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        onClick={() =>
          write([...entries, [entries.length === 0 ? 'name' : `name${entries.length + 1}`, '']])
        }
      >
        + Add {props.label.toLowerCase()}
      </button>
    </div>
  );
}
