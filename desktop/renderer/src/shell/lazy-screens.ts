/**
 * Pages and dialogs the designer does not need at start, each in its own chunk loaded on first
 * use: the first load parses only the editor (React.lazy wants a default export, hence the maps).
 */
import { lazy } from 'react';

export const ConnectionsPage = lazy(() =>
  import('../panels/connections-page').then((m) => ({ default: m.ConnectionsPage })),
);
export const SettingsPage = lazy(() =>
  import('../panels/settings-page').then((m) => ({ default: m.SettingsPage })),
);
export const HelpDialog = lazy(() =>
  import('../panels/help-dialog').then((m) => ({ default: m.HelpDialog })),
);
export const RunnerPage = lazy(() =>
  import('../runner/runner-page').then((m) => ({ default: m.RunnerPage })),
);
export const ExecutionsPage = lazy(() =>
  import('../runner/executions-page').then((m) => ({ default: m.ExecutionsPage })),
);
export const RunnerConnectionsPage = lazy(() =>
  import('../runner/runner-connections-page').then((m) => ({ default: m.RunnerConnectionsPage })),
);
export const AdminPage = lazy(() =>
  import('../runner/admin-page').then((m) => ({ default: m.AdminPage })),
);
export const EventWebhooksPage = lazy(() =>
  import('../runner/event-webhooks-page').then((m) => ({ default: m.EventWebhooksPage })),
);
export const PublishDialog = lazy(() =>
  import('../runner/publish-dialog').then((m) => ({ default: m.PublishDialog })),
);
