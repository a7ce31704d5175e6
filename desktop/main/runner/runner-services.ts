import type { Keychain } from '../keychain/keychain';
import type { Database } from '../storage/database';
import type { WorkflowService } from '../workflows/workflow-service';
import { AdminService } from './admin-service';
import { EventSubscriptionsService } from './event-subscriptions-service';
import { ExecutionsService } from './executions-service';
import { NotificationsService } from './notifications-service';
import { OidcSignIn } from './oidc-sign-in';
import { PublishService } from './publish-service';
import { PublishedWorkflowRepository } from './published-workflow.repository';
import { RunnerConnectionService } from './runner-connection-service';
import { RunnerConnectionsService } from './runner-connections-service';
import { RunnerProfileRepository } from './runner-profile.repository';
import { TwoFactorService } from './two-factor-service';
import { WorkflowSlaService } from './workflow-sla-service';

/** Everything the desktop does with runners, built once per process (router `runner.*`). */
export interface RunnerServices {
  connections: RunnerConnectionService;
  publish: PublishService;
  executions: ExecutionsService;
  admin: AdminService;
  notifications: NotificationsService;
  /** Per-workflow SLAs (decision 0018), for the Executions page. */
  slas: WorkflowSlaService;
  /** The runner's connections (credentials of published workflows), for operators. */
  runnerConnections: RunnerConnectionsService;
  /** Sign-in with a runner's identity provider (system browser, loopback redirect). */
  oidc: OidcSignIn;
  /** The signed-in user's two-factor authentication (enrolment, step-up, recovery codes). */
  twoFactor: TwoFactorService;
  /** The organization's outgoing event webhooks (decision 0019), for owners and admins. */
  eventSubscriptions: EventSubscriptionsService;
}

export function createRunnerServices(deps: {
  db: Database;
  keychain: Keychain;
  workflows: WorkflowService;
  /** Opens a URL in the system browser (Electron); the browser host has none. */
  openExternal?: (url: string) => Promise<void>;
}): RunnerServices {
  const connections = new RunnerConnectionService(
    new RunnerProfileRepository(deps.db),
    deps.keychain,
  );
  const published = new PublishedWorkflowRepository(deps.db);
  const oidc = new OidcSignIn(connections, { openExternal: deps.openExternal });
  return {
    connections,
    publish: new PublishService({ connections, workflows: deps.workflows, published }),
    executions: new ExecutionsService({ connections, published }),
    admin: new AdminService(connections),
    notifications: new NotificationsService(connections),
    slas: new WorkflowSlaService(connections),
    runnerConnections: new RunnerConnectionsService(connections),
    oidc,
    twoFactor: new TwoFactorService(connections, oidc),
    eventSubscriptions: new EventSubscriptionsService(connections),
  };
}
