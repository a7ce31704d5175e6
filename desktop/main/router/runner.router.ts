import { runnerProfilesRouter } from './runner-connection.router';
import {
  runnerAdminRouter,
  runnerConnectionsRouter,
  runnerEventWebhooksRouter,
  runnerExecutionsRouter,
  runnerNotificationsRouter,
  runnerPublishRouter,
} from './runner-operations.router';
import { router } from './trpc';

/** Everything the desktop does with a runner; all HTTP to it happens in the main process. */
export const runnerRouter = router({
  profiles: runnerProfilesRouter,
  publish: runnerPublishRouter,
  executions: runnerExecutionsRouter,
  admin: runnerAdminRouter,
  notifications: runnerNotificationsRouter,
  connections: runnerConnectionsRouter,
  eventWebhooks: runnerEventWebhooksRouter,
});
