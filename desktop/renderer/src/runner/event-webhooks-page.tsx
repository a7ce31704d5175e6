import { useCallback, useEffect, useState } from 'react';
import type { Failure } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { Dialog } from '../ui/dialog';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { runWithToast } from '../ui/toast-action';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import type { EventSubscriptionRow } from './event-webhooks-deliveries';
import { DeliveriesDialog, DeliveryState } from './event-webhooks-deliveries';
import type { EventSubscriptionWithSecret } from './event-webhooks-form';
import { NewEventWebhookForm } from './event-webhooks-form';
import { SigningSecret } from './event-webhooks-secret';
import { RunnerNotReady } from './runner-not-ready';
import { activeProfile, refreshProfiles, useRunner } from './runner-store';
import { useAutoRefresh } from './use-auto-refresh';

/** Deliveries change in the background (the runner's dispatcher): read the list again now and then. */
const WEBHOOKS_REFRESH_MS = 15_000;

/**
 * The organization's outgoing event webhooks (decision 0019): where the runner POSTs events
 * (runs finishing, workflows disabled or enabled), their delivery log, and their signing secrets,
 * shown once. Owners and admins only: the runner refuses everyone else, and the page says so.
 */
export function EventWebhooksPage() {
  const profile = useRunner(activeProfile);
  useEffect(() => void refreshProfiles(), []);
  const ready = Boolean(profile?.signedIn && profile.organizationId);
  return (
    <main className="page page-wide" aria-labelledby="event-webhooks-title">
      <h1 id="event-webhooks-title">Event webhooks</h1>
      {profile && ready ? (
        <>
          <p className="muted">
            {profile.organizationName} on {profile.name}: the runner POSTs these events to your
            URLs, signed with each subscription’s secret, and retries failed deliveries for a day.
          </p>
          <EventWebhooks key={`${profile.id}:${profile.organizationId}`} />
        </>
      ) : (
        <RunnerNotReady profile={profile} />
      )}
    </main>
  );
}

type Open = { action: 'deliveries' | 'delete'; id: string };

function EventWebhooks() {
  const [items, setItems] = useState<EventSubscriptionRow[] | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const [shown, setShown] = useState<EventSubscriptionWithSecret | null>(null);
  const [open, setOpen] = useState<Open | null>(null);
  // The runner's 403: this role does not hold event-subscriptions:manage (cleared by a later load).
  const forbidden = problem?.code === 'FORBIDDEN';

  const refresh = useCallback(async () => {
    try {
      setItems(await api.runner.eventWebhooks.list.query());
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, []);
  useAutoRefresh(refresh, WEBHOOKS_REFRESH_MS);

  const act = async (run: () => Promise<unknown>, done: string) => {
    await runWithToast(run, done);
    await refresh();
  };
  const rotate = async (s: EventSubscriptionRow) => {
    try {
      setShown(await api.runner.eventWebhooks.rotateSecret.mutate({ subscriptionId: s.id }));
    } catch (error) {
      showToast({ tone: 'error', message: failureOf(error).message });
    }
  };

  if (forbidden)
    return (
      <p className="hint" data-testid="event-webhooks-forbidden">
        Only owners and admins manage event webhooks: the runner does not show them to your role.
      </p>
    );
  const current = open && items?.find((s) => s.id === open.id);
  return (
    <>
      <ProblemAlert problem={problem} />
      {shown && (
        <SigningSecret url={shown.url} secret={shown.secret} onDone={() => setShown(null)} />
      )}
      <section aria-labelledby="event-webhooks-list-title">
        <h2 id="event-webhooks-list-title">Subscriptions</h2>
        {items === null ? (
          <p className="muted">{problem ? '' : 'Loading…'}</p>
        ) : items.length === 0 ? (
          <p className="muted">No event webhook in this organization yet.</p>
        ) : (
          <table className="table" data-testid="event-webhooks">
            <caption className="visually-hidden">Event webhooks of the organization</caption>
            <TableHead columns={['URL', 'Events', 'Workflows', 'State', 'Last delivery']} actions />
            <tbody>
              {items.map((s) => (
                <tr key={s.id} data-testid="event-webhook">
                  <th scope="row" className="mono">
                    {s.url}
                    {s.description && <div className="muted">{s.description}</div>}
                  </th>
                  <td>{s.eventTypes.join(', ')}</td>
                  <td>{s.workflowIds ? `${s.workflowIds.length} chosen` : 'all'}</td>
                  <td data-testid="event-webhook-state">
                    {s.enabled ? 'enabled' : 'disabled'}
                    {s.disabledReason && ` (${s.disabledReason})`}
                  </td>
                  <td>
                    <DeliveryState delivery={s.lastDelivery} />
                  </td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Deliveries to ${s.url}`}
                        onClick={() => setOpen({ action: 'deliveries', id: s.id })}
                      >
                        Deliveries
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`${s.enabled ? 'Disable' : 'Enable'} ${s.url}`}
                        onClick={() =>
                          void act(
                            () =>
                              api.runner.eventWebhooks.setEnabled.mutate({
                                subscriptionId: s.id,
                                enabled: !s.enabled,
                              }),
                            `${s.url} ${s.enabled ? 'gets no events now' : 'gets events again'}.`,
                          )
                        }
                      >
                        {s.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Rotate the secret of ${s.url}`}
                        onClick={() => void rotate(s)}
                      >
                        Rotate secret
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        aria-label={`Delete ${s.url}`}
                        onClick={() => setOpen({ action: 'delete', id: s.id })}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <NewEventWebhookForm
        onCreated={async (created) => {
          setShown(created);
          await refresh();
        }}
      />
      {current && open.action === 'deliveries' && (
        <DeliveriesDialog subscription={current} onClose={() => setOpen(null)} />
      )}
      {current && open.action === 'delete' && (
        <DeleteDialog subscription={current} onClose={() => setOpen(null)} onDone={refresh} />
      )}
    </>
  );
}

/** Asks before deleting: the receiver gets nothing more, and the delivery log goes too. */
function DeleteDialog({
  subscription,
  onClose,
  onDone,
}: {
  subscription: EventSubscriptionRow;
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const title = `Delete the webhook to ${subscription.url}?`;
  const form = useFormAction(async () => {
    await api.runner.eventWebhooks.remove.mutate({ subscriptionId: subscription.id });
    showToast({ tone: 'info', message: `Deleted the webhook to ${subscription.url}.` });
    await onDone();
    onClose();
  });
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={form.onSubmit} aria-label={title}>
        <p>
          The runner stops sending events to this URL and forgets its delivery log. Pending
          deliveries are not sent.
        </p>
        <FormFooter
          problem={form.problem}
          submitLabel="Delete webhook"
          busyLabel="Deleting…"
          busy={form.busy}
        >
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </FormFooter>
      </form>
    </Dialog>
  );
}
