import type { RetryPolicy } from '../../../../shared/src/model/workflow';
import { isTriggerType } from '../catalog/node-catalog';
import type { StepNode } from '../store/canvas-types';
import { editorStore } from '../store/editor-store';
import type { PlacedIssue } from '../validation/issue-paths';
import { issuesForField } from '../validation/issue-paths';
import type { CompletionContext } from './expression-completions';
import { ExpressionEditor } from './expression-editor';
import { FieldIssues } from './field-issues';

const RETRY_DEFAULTS: RetryPolicy = {
  maxAttempts: 1,
  backoffMs: 1000,
  factor: 2,
  maxBackoffMs: 60_000,
};

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function NumberSetting(props: {
  node: StepNode;
  label: string;
  path: string[];
  value: number | undefined;
  placeholder: string;
  issues: PlacedIssue[];
  onChange: (value: number | undefined) => void;
}) {
  const id = `setting-${props.node.id}-${props.path.join('-')}`;
  const issues = issuesForField(props.issues, props.node.id, props.path);
  return (
    <div className="field field-inline">
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <input
        id={id}
        className="input input-number"
        type="number"
        placeholder={props.placeholder}
        value={props.value ?? ''}
        aria-invalid={issues.length > 0 || undefined}
        aria-describedby={issues.length > 0 ? `${id}-issues` : undefined}
        onChange={(e) => props.onChange(numberOrUndefined(e.target.value))}
      />
      <FieldIssues id={`${id}-issues`} issues={issues} />
    </div>
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
  const { data } = node;
  if (isTriggerType(data.nodeType)) {
    if (data.nodeType !== 'trigger.webhook' && data.nodeType !== 'trigger.poll') return null;
    return (
      <details className="settings-block">
        <summary>Deduplication</summary>
        <div className="field">
          <label className="field-label" htmlFor={`setting-${node.id}-dedupeKey`}>
            Dedupe key (template over the trigger output)
          </label>
          <ExpressionEditor
            id={`setting-${node.id}-dedupeKey`}
            value={data.dedupeKey ?? ''}
            onChange={(v) => update({ dedupeKey: v || undefined }, 'dedupeKey')}
            context={context}
            placeholder='{{ headers."x-delivery-id" }}'
          />
          <FieldIssues
            id={`setting-${node.id}-dedupeKey-issues`}
            issues={issuesForField(issues, node.id, ['dedupeKey'])}
          />
        </div>
        <NumberSetting
          node={node}
          label="Dedupe window (seconds)"
          path={['dedupeWindowSeconds']}
          value={data.dedupeWindowSeconds}
          placeholder="86400"
          issues={issues}
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
        <NumberSetting
          node={node}
          label="Max attempts"
          path={['retry', 'maxAttempts']}
          value={data.retry?.maxAttempts}
          placeholder={String(RETRY_DEFAULTS.maxAttempts)}
          issues={issues}
          onChange={(v) => setRetry('maxAttempts', v)}
        />
        <NumberSetting
          node={node}
          label="Backoff (ms)"
          path={['retry', 'backoffMs']}
          value={data.retry?.backoffMs}
          placeholder={String(RETRY_DEFAULTS.backoffMs)}
          issues={issues}
          onChange={(v) => setRetry('backoffMs', v)}
        />
        <NumberSetting
          node={node}
          label="Backoff factor"
          path={['retry', 'factor']}
          value={data.retry?.factor}
          placeholder={String(RETRY_DEFAULTS.factor)}
          issues={issues}
          onChange={(v) => setRetry('factor', v)}
        />
        <NumberSetting
          node={node}
          label="Max backoff (ms)"
          path={['retry', 'maxBackoffMs']}
          value={data.retry?.maxBackoffMs}
          placeholder={String(RETRY_DEFAULTS.maxBackoffMs)}
          issues={issues}
          onChange={(v) => setRetry('maxBackoffMs', v)}
        />
        <NumberSetting
          node={node}
          label="Timeout per attempt (ms)"
          path={['timeoutMs']}
          value={data.timeoutMs}
          placeholder="30000"
          issues={issues}
          onChange={(v) => update({ timeoutMs: v }, 'timeoutMs')}
        />
        <NumberSetting
          node={node}
          label="Concurrency (for each)"
          path={['concurrency']}
          value={data.concurrency}
          placeholder="1"
          issues={issues}
          onChange={(v) => update({ concurrency: v }, 'concurrency')}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`setting-${node.id}-forEach`}>
          For each (template giving an array)
        </label>
        <ExpressionEditor
          id={`setting-${node.id}-forEach`}
          value={data.forEach ?? ''}
          onChange={(v) => update({ forEach: v || undefined }, 'forEach')}
          context={context}
          placeholder="{{ steps.rows.rows }}"
        />
        <FieldIssues
          id={`setting-${node.id}-forEach-issues`}
          issues={issuesForField(issues, node.id, ['forEach'])}
        />
      </div>
    </details>
  );
}
