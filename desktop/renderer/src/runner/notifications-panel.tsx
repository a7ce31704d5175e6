import { useCallback, useEffect, useRef, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { showPage } from '../shell/ui-store';
import { Dialog } from '../ui/dialog';
import { ProblemAlert } from '../ui/problem-alert';
import { runWithToast } from '../ui/toast-action';
import { ExecutionDetail } from './execution-detail';
import { showWorkflowRuns } from './runner-store';

type Notification = RouterOutputs['runner']['notifications']['list'][number];

/** The runner's kinds in the user's words; a kind this desktop does not know shows as is. */
const KIND_LABELS: Record<string, string> = {
  'workflow.failures': 'Failures',
  'workflow.sla_breached': 'SLA',
  'workflow.disabled': 'Workflow disabled',
  'connection.needs_reauthorization': 'Connection',
  'quota.exceeded': 'Quota',
};

/**
 * The notifications of the runner in use, newest first (the runner's order): read them, mark
 * one or all read, open the run, the workflow's runs or the connections a notification is about
 * (the ids the runner gives beside its text).
 */
export function NotificationsPanel({
  onClose,
  onChange,
}: {
  onClose: () => void;
  /** After a notification was marked read (the bell's count changed). */
  onChange: () => void;
}) {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const [run, setRun] = useState<string | null>(null);
  const back = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);

  const load = useCallback(async () => {
    try {
      setItems(await api.runner.notifications.list.query({}));
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, []);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (run) back.current?.focus();
  }, [run]);

  const markRead = async (n: Notification) => {
    await runWithToast(
      () => api.runner.notifications.markRead.mutate({ notificationId: n.id }),
      'Marked read.',
      'info',
    );
    await load();
    onChange();
    // The button is gone: keep the keyboard on the notification it belonged to.
    list.current?.querySelector<HTMLElement>(`[data-id="${n.id}"]`)?.focus();
  };
  const markAll = async () => {
    await runWithToast(
      () => api.runner.notifications.markAllRead.mutate(),
      'All notifications marked read.',
      'info',
    );
    await load();
    onChange();
    list.current?.focus();
  };
  const showRuns = (workflowId: string) => {
    showWorkflowRuns(workflowId);
    showPage('executions');
    onClose();
  };

  const showConnections = () => {
    showPage('runner-connections');
    onClose();
  };

  const unread = items?.filter((n) => !n.readAt).length ?? 0;
  return (
    <Dialog title="Notifications" onClose={onClose} wide>
      {run ? (
        <>
          <button ref={back} type="button" className="btn btn-small" onClick={() => setRun(null)}>
            ← Back to notifications
          </button>
          <ExecutionDetail executionId={run} onClose={() => setRun(null)} />
        </>
      ) : (
        <>
          <div className="form-actions">
            <p className="muted small" role="status">
              {items === null ? '' : unread === 0 ? 'Nothing unread.' : `${unread} unread.`}
            </p>
            <button
              type="button"
              className="btn btn-small"
              disabled={unread === 0}
              onClick={() => void markAll()}
            >
              Mark all read
            </button>
          </div>
          <ProblemAlert problem={problem} />
          {items === null ? (
            <p className="muted">{problem ? '' : 'Loading…'}</p>
          ) : items.length === 0 ? (
            <p className="muted">No notifications from this runner yet.</p>
          ) : (
            <ul
              ref={list}
              className="notification-list"
              aria-label="Notifications, newest first"
              tabIndex={-1}
            >
              {items.map((n) => (
                <NotificationItem
                  key={n.id}
                  notification={n}
                  onMarkRead={() => void markRead(n)}
                  onShowRun={setRun}
                  onShowRuns={showRuns}
                  onShowConnections={showConnections}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </Dialog>
  );
}

function NotificationItem({
  notification: n,
  onMarkRead,
  onShowRun,
  onShowRuns,
  onShowConnections,
}: {
  notification: Notification;
  onMarkRead: () => void;
  onShowRun: (executionId: string) => void;
  onShowRuns: (workflowId: string) => void;
  onShowConnections: () => void;
}) {
  const titleId = `notification-${n.id}`;
  // Each button's name starts with its text and ends with the notification's title.
  const { executionId, workflowId, connectionId } = n;
  const actions: (readonly [string, () => void])[] = [
    ...(executionId ? [['Show run', () => onShowRun(executionId)] as const] : []),
    ...(workflowId ? [['Workflow runs', () => onShowRuns(workflowId)] as const] : []),
    ...(connectionId ? [['Runner connections', onShowConnections] as const] : []),
    ...(n.readAt ? [] : [['Mark read', onMarkRead] as const]),
  ];
  return (
    <li
      className={`notification${n.readAt ? '' : ' is-unread'}`}
      data-testid="notification"
      data-id={n.id}
      tabIndex={-1}
      aria-labelledby={titleId}
    >
      <h3 id={titleId} className="notification-title">
        {!n.readAt && <span className="badge badge-running">unread</span>} {n.title}
      </h3>
      <p className="small muted">
        <span className="badge">{KIND_LABELS[n.kind] ?? n.kind}</span>{' '}
        <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time>
      </p>
      <p className="notification-body small">{n.body}</p>
      <div className="form-actions">
        {actions.map(([label, run]) => (
          <button
            key={label}
            type="button"
            className="btn btn-small"
            aria-label={`${label}: ${n.title}`}
            onClick={run}
          >
            {label}
          </button>
        ))}
      </div>
    </li>
  );
}
