import { useCallback, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { Dialog } from '../ui/dialog';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { runWithToast } from '../ui/toast-action';
import { useAutoRefresh } from './use-auto-refresh';
import { when } from '../ui/format-time';

export type EventSubscriptionRow = RouterOutputs['runner']['eventWebhooks']['list'][number];
type Delivery = RouterOutputs['runner']['eventWebhooks']['deliveries'][number];

/** The dispatcher retries in the background: read the log again while it shows. */
const DELIVERIES_REFRESH_MS = 5_000;

const DELIVERY_BADGES: Record<Delivery['status'], string> = {
  pending: 'badge-pending',
  delivered: 'badge-success',
  failed: 'badge-failed',
};

/** A delivery's state in a few words: its status, then its last answer. */
export function DeliveryState({ delivery }: { delivery: Delivery | null }) {
  if (!delivery) return <span className="muted">none yet</span>;
  return (
    <>
      <span className={`badge ${DELIVERY_BADGES[delivery.status]}`} data-testid="delivery-status">
        {delivery.status}
      </span>{' '}
      {delivery.lastStatusCode !== null && `HTTP ${delivery.lastStatusCode}`}
      {delivery.lastError && ` ${delivery.lastError}`}
    </>
  );
}

/** One subscription's delivery log, newest first, with a way to send an event again. */
export function DeliveriesDialog({
  subscription,
  onClose,
}: {
  subscription: EventSubscriptionRow;
  onClose: () => void;
}) {
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const refresh = useCallback(async () => {
    try {
      setItems(
        await api.runner.eventWebhooks.deliveries.query({ subscriptionId: subscription.id }),
      );
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, [subscription.id]);
  useAutoRefresh(refresh, DELIVERIES_REFRESH_MS);

  const redeliver = async (d: Delivery) => {
    await runWithToast(
      () =>
        api.runner.eventWebhooks.redeliver.mutate({
          subscriptionId: subscription.id,
          deliveryId: d.id,
        }),
      `The ${d.eventType} event is queued to be sent again.`,
    );
    await refresh();
  };
  return (
    <Dialog title={`Deliveries to ${subscription.url}`} onClose={onClose} wide>
      <ProblemAlert problem={problem} />
      {items === null ? (
        <p className="muted">{problem ? '' : 'Loading…'}</p>
      ) : items.length === 0 ? (
        <p className="muted">No event has been sent to this URL yet.</p>
      ) : (
        <table className="table" data-testid="event-deliveries">
          <caption className="visually-hidden">Deliveries, newest first</caption>
          <TableHead
            columns={['Event', 'Created', 'Status', 'Attempts', 'Last response', 'Next try']}
            actions
          />
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid="event-delivery">
                <th scope="row">
                  <code>{d.eventType}</code>
                </th>
                <td>{when(d.createdAt)}</td>
                <td>
                  <span className={`badge ${DELIVERY_BADGES[d.status]}`}>{d.status}</span>
                </td>
                <td>{d.attempts}</td>
                <td>
                  {d.lastStatusCode ?? '—'}
                  {d.lastError && ` ${d.lastError}`}
                </td>
                <td>{d.status === 'pending' ? when(d.nextAttemptAt) : '—'}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={`Redeliver the ${d.eventType} event of ${when(d.createdAt)}`}
                    onClick={() => void redeliver(d)}
                  >
                    Redeliver
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}
