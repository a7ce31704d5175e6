import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { Icon } from '../ui/icons';
import { activeProfile, refreshProfiles, useRunner } from './runner-store';
import { useAutoRefresh } from './use-auto-refresh';

// Loaded on first open: the editor's first chunk carries only the button.
const NotificationsPanel = lazy(() =>
  import('./notifications-panel').then((m) => ({ default: m.NotificationsPanel })),
);

type Unread = RouterOutputs['runner']['notifications']['unreadCount'];

/** One request a minute per window while it is visible: alerts come at most every 4 minutes. */
export const NOTIFICATIONS_REFRESH_MS = 60_000;

/** What the bell says to assistive technology (its visible count is decoration). */
export function bellLabel(unread: Unread | null, problem: string | null): string {
  if (problem) return 'Notifications (could not be read)';
  if (!unread) return 'Notifications';
  if (unread.count === 0) return 'Notifications, none unread';
  return `Notifications, ${unread.count}${unread.capped ? ' or more' : ''} unread`;
}

/**
 * The runner's notifications for the profile in use, in its chosen organization: nothing
 * until a signed-in profile has one.
 */
export function NotificationsBell() {
  const profile = useRunner(activeProfile);
  useEffect(() => void refreshProfiles(), []);
  if (!profile?.signedIn || !profile.organizationId) return null;
  return <Bell key={`${profile.id}:${profile.organizationId}`} />;
}

function Bell() {
  const [unread, setUnread] = useState<Unread | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setUnread(await api.runner.notifications.unreadCount.query());
      setProblem(null);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, []);
  useAutoRefresh(refresh, NOTIFICATIONS_REFRESH_MS);
  const count = unread?.count ?? 0;
  return (
    <>
      <button
        type="button"
        className="btn bell-btn"
        aria-label={bellLabel(unread, problem)}
        aria-haspopup="dialog"
        title={problem ?? 'Notifications from the runner'}
        data-testid="notifications-bell"
        onClick={() => setOpen(true)}
      >
        <Icon name="bell" />
        {count > 0 && (
          <span className="count count-bad" aria-hidden="true">
            {count}
            {unread?.capped ? '+' : ''}
          </span>
        )}
      </button>
      {open && (
        <Suspense fallback={null}>
          <NotificationsPanel
            onChange={refresh}
            onClose={() => {
              setOpen(false);
              void refresh();
            }}
          />
        </Suspense>
      )}
    </>
  );
}
