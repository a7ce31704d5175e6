import type { Keychain } from '../keychain/keychain';
import type { Database } from '../storage/database';
import type { WorkflowService } from '../workflows/workflow-service';
import { AdminService } from './admin-service';
import { ExecutionsService } from './executions-service';
import { NotificationsService } from './notifications-service';
import { PublishService } from './publish-service';
import { PublishedWorkflowRepository } from './published-workflow.repository';
import { RunnerConnectionService } from './runner-connection-service';
import { RunnerProfileRepository } from './runner-profile.repository';

/** Everything the desktop does with runners, built once per process (router `runner.*`). */
export interface RunnerServices {
  connections: RunnerConnectionService;
  publish: PublishService;
  executions: ExecutionsService;
  admin: AdminService;
  notifications: NotificationsService;
}

export function createRunnerServices(deps: {
  db: Database;
  keychain: Keychain;
  workflows: WorkflowService;
}): RunnerServices {
  const connections = new RunnerConnectionService(
    new RunnerProfileRepository(deps.db),
    deps.keychain,
  );
  const published = new PublishedWorkflowRepository(deps.db);
  return {
    connections,
    publish: new PublishService({ connections, workflows: deps.workflows, published }),
    executions: new ExecutionsService({ connections, published }),
    admin: new AdminService(connections),
    notifications: new NotificationsService(connections),
  };
}
