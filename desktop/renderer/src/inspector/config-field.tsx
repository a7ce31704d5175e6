import type { ChangeEvent, ReactNode } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { Field } from '../ui/field';
import type { PlacedIssue } from '../validation/issue-paths';
import { issuesForField } from '../validation/issue-paths';
import type { CompletionContext } from './expression-completions';
import { ExpressionEditor } from './expression-editor';
import { JsonEditor } from './json-editor';
import { KeyValueEditor } from './key-value-editor';
import type { FieldSpec } from './schema-fields';
import { readPath } from './schema-fields';

export interface FieldProps {
  nodeId: string;
  field: FieldSpec;
  config: Record<string, unknown> | undefined;
  onChange: (path: string[], value: unknown) => void;
  issues: PlacedIssue[];
  context: CompletionContext;
  connections: RouterOutputs['connections']['list'];
}

function defaultText(field: FieldSpec): string {
  return field.defaultValue === undefined
    ? ''
    : `default: ${typeof field.defaultValue === 'string' ? field.defaultValue : JSON.stringify(field.defaultValue)}`;
}

/** Numbers may also be templates (`{{ steps.x.code }}`): keep text that is not a number. */
function parseNumberText(text: string): unknown {
  if (text.trim() === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) && /^\s*-?[\d.]+(e-?\d+)?\s*$/i.test(text) ? number : text;
}

function Control({
  field,
  value,
  id,
  describedBy,
  invalid,
  props,
}: {
  field: FieldSpec;
  value: unknown;
  id: string;
  describedBy?: string;
  invalid: boolean;
  props: FieldProps;
}): ReactNode {
  const set = (next: unknown) => props.onChange(field.path, next);
  const aria = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': field.required || undefined,
  };
  // enum and connection: a string picked from a list, none meaning "not set".
  const choice = {
    className: 'input',
    ...aria,
    value: typeof value === 'string' ? value : '',
    onChange: (e: ChangeEvent<HTMLSelectElement>) => set(e.target.value || undefined),
  };
  switch (field.kind) {
    case 'enum':
      return (
        <select {...choice}>
          <option value="">
            {field.defaultValue !== undefined
              ? `Default (${String(field.defaultValue)})`
              : '— choose —'}
          </option>
          {field.enumValues?.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <select
          className="input"
          {...aria}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => set(e.target.value === '' ? undefined : e.target.value === 'true')}
        >
          <option value="">
            {field.defaultValue !== undefined
              ? `Default (${String(field.defaultValue)})`
              : '— unset —'}
          </option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
    case 'number':
      return (
        <input
          className="input"
          inputMode="numeric"
          {...aria}
          placeholder={defaultText(field)}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => set(parseNumberText(e.target.value))}
        />
      );
    case 'code':
      return (
        <textarea
          className="input code-input"
          rows={8}
          spellCheck={false}
          {...aria}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => set(e.target.value || undefined)}
          placeholder="return { total: input.trigger.body.total * 2 };"
        />
      );
    case 'list':
      return (
        <input
          className="input"
          {...aria}
          placeholder="comma-separated"
          value={Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : ''}
          onChange={(e) =>
            set(
              e.target.value.trim() === ''
                ? undefined
                : e.target.value.split(',').map((s) => s.trim()),
            )
          }
        />
      );
    case 'connection':
      return (
        <select {...choice}>
          <option value="">— no connection —</option>
          {props.connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind})
            </option>
          ))}
          {typeof value === 'string' &&
            value !== '' &&
            !props.connections.some((c) => c.id === value) && (
              <option value={value}>{value} (not on this machine)</option>
            )}
        </select>
      );
    case 'keyValue':
      return (
        <KeyValueEditor
          id={id}
          label={field.label}
          value={value}
          onChange={set}
          context={props.context}
        />
      );
    case 'json':
      return (
        <JsonEditor
          id={id}
          value={value}
          onChange={set}
          context={props.context}
          describedBy={describedBy}
          invalid={invalid}
        />
      );
    case 'text':
    case 'expression':
      return (
        <ExpressionEditor
          id={id}
          value={
            typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
          }
          onChange={(text) => set(text === '' ? undefined : text)}
          context={props.context}
          placeholder={
            field.kind === 'expression' ? '{{ trigger.body.total > 100 }}' : defaultText(field)
          }
          describedBy={describedBy}
          invalid={invalid}
        />
      );
    case 'group':
      return null;
  }
}

/** One config field: label, control, the validator's messages for its path. */
export function ConfigField(props: FieldProps) {
  const { field, nodeId } = props;
  const id = `field-${nodeId}-${field.path.join('-')}`;
  if (field.kind === 'group') {
    return (
      <fieldset className="field-group">
        <legend>{field.label}</legend>
        {field.children?.map((child) => (
          <ConfigField key={child.path.join('.')} {...props} field={child} />
        ))}
      </fieldset>
    );
  }
  const issues = issuesForField(props.issues, nodeId, ['config', ...field.path]);
  return (
    <Field
      id={id}
      label={
        <>
          {field.label}
          {field.required && (
            <span className="required" aria-hidden="true">
              {' '}
              *
            </span>
          )}
        </>
      }
      errors={issues.map((issue) => issue.text)}
      dataField={field.path.join('.')}
    >
      {(control) => (
        <Control
          field={field}
          value={readPath(props.config, field.path)}
          id={control.id}
          describedBy={control['aria-describedby']}
          invalid={control['aria-invalid'] ?? false}
          props={props}
        />
      )}
    </Field>
  );
}
