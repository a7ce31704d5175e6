import { useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import { TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import type { RunnerForm } from './use-runner-form';
import { useRunnerForm } from './use-runner-form';

export type EventSubscriptionWithSecret = RouterOutputs['runner']['eventWebhooks']['create'];
type Workflow = RouterOutputs['runner']['executions']['workflows'][number];

/** The event types the runner sends (decision 0019), in the order the form offers them. */
export const EVENT_TYPES: { id: string; label: string }[] = [
  { id: 'execution.succeeded', label: 'A run succeeded' },
  { id: 'execution.failed', label: 'A run failed' },
  { id: 'execution.canceled', label: 'A run was canceled' },
  { id: 'workflow.disabled', label: 'A workflow was disabled' },
  { id: 'workflow.enabled', label: 'A workflow was enabled' },
];

/** The runner's limits on the lists (schemas.ts): every path it can name has a place here. */
const MAX_ITEMS = { eventTypes: EVENT_TYPES.length, workflowIds: 100 };
const itemPaths = (list: keyof typeof MAX_ITEMS) => [
  list,
  ...Array.from({ length: MAX_ITEMS[list] }, (_, i) => `${list}[${i}]`),
];
const FIELDS = ['url', 'description', ...itemPaths('eventTypes'), ...itemPaths('workflowIds')];

/** The runner's issues about a list and its items (`eventTypes[1]`), shown on the list's group. */
const issuesUnder = (form: RunnerForm, list: keyof typeof MAX_ITEMS) =>
  itemPaths(list).flatMap((path) => form.errorsAt(path));

/**
 * Subscribes a URL to events of the organization; the runner answers with the signing secret,
 * handed to `onCreated` to be shown once.
 */
export function NewEventWebhookForm({
  onCreated,
}: {
  onCreated: (created: EventSubscriptionWithSecret) => Promise<void>;
}) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>(['execution.failed']);
  const [workflowIds, setWorkflowIds] = useState<string[]>([]);
  const [workflows, setWorkflows] = useState<Workflow[] | null>(null);
  useEffect(() => {
    api.runner.executions.workflows.query().then(setWorkflows, () => setWorkflows([]));
  }, []);

  const form = useRunnerForm(FIELDS, async () => {
    const created = await api.runner.eventWebhooks.create.mutate({
      url,
      eventTypes,
      // None checked: every workflow of the organization, now and later.
      workflowIds: workflowIds.length > 0 ? workflowIds : null,
      description: description.trim() === '' ? null : description,
    });
    setUrl('');
    setDescription('');
    setWorkflowIds([]);
    await onCreated(created);
  });
  const toggle = (list: string[], id: string, on: boolean) =>
    on ? [...list, id] : list.filter((x) => x !== id);
  const typeIssues = issuesUnder(form, 'eventTypes');
  const workflowIssues = issuesUnder(form, 'workflowIds');
  return (
    <section aria-labelledby="new-event-webhook-title">
      <h2 id="new-event-webhook-title">New event webhook</h2>
      <form
        className="form"
        onSubmit={form.onSubmit}
        aria-labelledby="new-event-webhook-title"
        data-testid="new-event-webhook"
      >
        <TextField
          id="ew-url"
          label="URL"
          hint="https, or http to this machine. Each event is POSTed here, signed per Standard Webhooks."
          required
          inputClassName="mono"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          errors={form.errorsAt('url')}
        />
        <TextField
          id="ew-description"
          label="Description (optional)"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          errors={form.errorsAt('description')}
        />
        <fieldset
          className="field-group"
          aria-describedby={typeIssues.length > 0 ? 'ew-types-issues' : undefined}
        >
          <legend>Events</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t.id} className="field-label">
              <input
                type="checkbox"
                checked={eventTypes.includes(t.id)}
                onChange={(e) => setEventTypes(toggle(eventTypes, t.id, e.target.checked))}
              />{' '}
              {t.label} <code>{t.id}</code>
            </label>
          ))}
          <Issues id="ew-types-issues" messages={typeIssues} />
        </fieldset>
        <fieldset
          className="field-group"
          aria-describedby={workflowIssues.length > 0 ? 'ew-workflows-issues' : undefined}
        >
          <legend>Only these workflows (none checked: every workflow)</legend>
          {workflows?.length === 0 && (
            <p className="hint">Nothing is published in this organization yet.</p>
          )}
          {workflows?.map((w) => (
            <label key={w.runnerWorkflowId} className="field-label">
              <input
                type="checkbox"
                checked={workflowIds.includes(w.runnerWorkflowId)}
                onChange={(e) =>
                  setWorkflowIds(toggle(workflowIds, w.runnerWorkflowId, e.target.checked))
                }
              />{' '}
              {w.name}
            </label>
          ))}
          <Issues id="ew-workflows-issues" messages={workflowIssues} />
        </fieldset>
        <FormFooter
          problem={form.problem}
          submitLabel="Create webhook"
          busyLabel="Creating…"
          busy={form.busy}
          primary
        />
      </form>
    </section>
  );
}

function Issues({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul id={id} className="field-issues" data-testid="field-issues">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}
