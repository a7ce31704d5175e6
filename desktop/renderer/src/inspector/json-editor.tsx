import { useMemo, useState } from 'react';
import type { CompletionContext } from './expression-completions';
import { ExpressionEditor } from './expression-editor';

function toText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * Free JSON values (transform.value, http body): JSON when the text parses,
 * otherwise kept as a string (a template such as `{{ steps.a.body }}`).
 */
export function JsonEditor(props: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  context: CompletionContext;
  describedBy?: string;
  invalid?: boolean;
}) {
  const [text, setText] = useState(() => toText(props.value));
  const trimmed = text.trim();
  // Memoized: a new object on every render would restart the preview's debounce forever.
  const { parsed, previewValue } = useMemo(() => {
    try {
      return {
        parsed: true,
        previewValue: trimmed === '' ? text : (JSON.parse(trimmed) as unknown),
      };
    } catch {
      return { parsed: false, previewValue: text as unknown };
    }
  }, [text, trimmed]);
  const looksLikeJson = /^[[{"]/.test(trimmed);
  const onChange = (next: string) => {
    setText(next);
    const t = next.trim();
    if (t === '') return props.onChange(undefined);
    try {
      props.onChange(JSON.parse(t) as unknown);
    } catch {
      props.onChange(next);
    }
  };
  return (
    <>
      <ExpressionEditor
        id={props.id}
        value={text}
        onChange={onChange}
        context={props.context}
        multiline
        placeholder='JSON, e.g. { "name": "{{ trigger.body.name }}" }'
        describedBy={props.describedBy}
        invalid={props.invalid}
        previewValue={previewValue}
      />
      {!parsed && looksLikeJson && (
        <p className="hint hint-warn">Not valid JSON yet: it is kept as text.</p>
      )}
    </>
  );
}
