import type { RetryPolicy } from '../../../../shared/src/model/workflow';
import { isTriggerType } from '../catalog/node-catalog';
import type { StepNode } from '../store/canvas-types';
import { editorStore } from '../store/editor-store';
import type { PlacedIssue } from '../validation/issue-paths';
import { issuesForField } from '../validation/issue-paths';
import type { FieldFrame } from '../ui/field';
import { Field, TextField } from '../ui/field';
import type { CompletionContext } from './expression-completions';
import { ExpressionEditor } from './expression-editor';

const RETRY_DEFAULTS: RetryPolicy = {
  maxAttempts: 1,
  backoffMs: 1000,
  factor: 2,
  maxBackoffMs: 60_000,
};

const RETRY_LABELS: [keyof RetryPolicy, string][] = [
  ['maxAttempts', 'Max attempts'],
  ['backoffMs', 'Backoff (ms)'],
  ['factor', 'Backoff factor'],
  ['maxBackoffMs', 'Max backoff (ms)'],
];

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

type SettingFrame = Pick<FieldFrame, 'id' | 'errors'> & { label: string; placeholder: string };

function NumberSetting({
  value,
  onChange,
  ...frame
}: SettingFrame & { value: number | undefined; onChange: (value: number | undefined) => void }) {
  return (
    <TextField
      {...frame}
      className="field-inline"
      inputClassName="input-number"
      type="number"
      value={value ?? ''}
      onChange={(e) => onChange(numberOrUndefined(e.target.value))}
    />
  );
}

/** A template setting (dedupe key, for each) with the completions and preview of templates. */
function TemplateSetting({
  placeholder,
  value,
  context,
  onChange,
  ...frame
}: SettingFrame & {
  value: string | undefined;
  context: CompletionContext;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <Field {...frame}>
      {(control) => (
        <ExpressionEditor
          id={control.id}
          value={value ?? ''}
          onChange={(v) => onChange(v || undefined)}
          context={context}
          placeholder={placeholder}
          describedBy={control['aria-describedby']}
          invalid={control['aria-invalid']}
        />
      )}
    </Field>
  );
}

/** retry / timeoutMs / forEach / concurrency (non-trigger nodes), dedupe (webhook, poll). */
export function StepSettings({
  node,
  issues,
  context,
}: {
  node: StepNode;
  issues: PlacedIssue[];
  context: CompletionContext;
}) {
  const update = (patch: Partial<StepNode['data']>, key: string) =>
    editorStore.getState().updateNodeData(node.id, patch, `${node.id}.${key}`);
  // The id and the validator's messages of the setting at this path of the step.
  const at = (...path: string[]) => ({
    id: `setting-${node.id}-${path.join('-')}`,
    errors: issuesForField(issues, node.id, path).map((issue) => issue.text),
  });
  const { data } = node;
  if (isTriggerType(data.nodeType)) {
    if (data.nodeType !== 'trigger.webhook' && data.nodeType !== 'trigger.poll') return null;
    return (
      <details className="settings-block">
        <summary>Deduplication</summary>
        <TemplateSetting
          {...at('dedupeKey')}
          label="Dedupe key (template over the trigger output)"
          value={data.dedupeKey}
          placeholder='{{ headers."x-delivery-id" }}'
          context={context}
          onChange={(v) => update({ dedupeKey: v }, 'dedupeKey')}
        />
        <NumberSetting
          {...at('dedupeWindowSeconds')}
          label="Dedupe window (seconds)"
          value={data.dedupeWindowSeconds}
          placeholder="86400"
          onChange={(v) => update({ dedupeWindowSeconds: v }, 'dedupeWindowSeconds')}
        />
      </details>
    );
  }
  const setRetry = (key: keyof RetryPolicy, value: number | undefined) => {
    const retry: Partial<RetryPolicy> = { ...data.retry, [key]: value };
    if (value === undefined) delete retry[key];
    update(
      { retry: Object.keys(retry).length === 0 ? undefined : ({ ...retry } as RetryPolicy) },
      `retry.${key}`,
    );
  };
  return (
    <details
      className="settings-block"
      open={Boolean(data.retry || data.timeoutMs || data.forEach)}
    >
      <summary>Retry, timeout and loop</summary>
      <div className="settings-grid">
        {RETRY_LABELS.map(([key, label]) => (
          <NumberSetting
            key={key}
            {...at('retry', key)}
            label={label}
            value={data.retry?.[key]}
            placeholder={String(RETRY_DEFAULTS[key])}
            onChange={(v) => setRetry(key, v)}
          />
        ))}
        <NumberSetting
          {...at('timeoutMs')}
          label="Timeout per attempt (ms)"
          value={data.timeoutMs}
          placeholder="30000"
          onChange={(v) => update({ timeoutMs: v }, 'timeoutMs')}
        />
        <NumberSetting
          {...at('concurrency')}
          label="Concurrency (for each)"
          value={data.concurrency}
          placeholder="1"
          onChange={(v) => update({ concurrency: v }, 'concurrency')}
        />
      </div>
      <TemplateSetting
        {...at('forEach')}
        label="For each (template giving an array)"
        value={data.forEach}
        placeholder="{{ steps.rows.rows }}"
        context={context}
        onChange={(v) => update({ forEach: v }, 'forEach')}
      />
    </details>
  );
}
