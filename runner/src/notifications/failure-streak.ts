import type { MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../db/org-context';
import type { ClaimedExecution } from '../worker/claim';
import type { Log } from '../worker/logger';
import type { FinishOutcome } from '../worker/result-writer';
import type { Mailer } from './mailer';
import { insertNotifications } from './notification-rows';

/** A workflow is disabled after this many failed executions in a row (business rule). */
export const FAILURE_STREAK_LIMIT = 10;

export interface FailureStreakDeps {
  orm: MikroORM;
  mailer: Mailer;
  log: Log;
  publicUrl: string;
}

/**
 * After a failed execution: at the streak limit, disables the workflow (once:
 * the update only matches an enabled workflow, so concurrent workers cannot
 * notify twice), writes an in-app Notification for each owner, then emails them.
 */
export function createFailureStreakHandler(deps: FailureStreakDeps) {
  return async (execution: ClaimedExecution, outcome: FinishOutcome): Promise<void> => {
    if (
      (outcome.consecutiveFailures ?? 0) < FAILURE_STREAK_LIMIT ||
      outcome.workflowEnabled === false
    )
      return;
    const owners = await withSystemContext(deps.orm, async (em) => {
      const [disabled] = await em.execute<{ name: string }[]>(
        `update workflows set enabled = false, disabled_reason = ?, updated_at = now()
          where id = ? and enabled and consecutive_failures >= ? returning name`,
        [
          `disabled after ${FAILURE_STREAK_LIMIT} consecutive failed executions`,
          execution.workflowId,
          FAILURE_STREAK_LIMIT,
        ],
      );
      if (!disabled) return [];
      const users = await em.execute<{ id: string; email: string }[]>(
        `select u.id, u.email from memberships m join users u on u.id = m.user_id where m.organization_id = ? and m.role = 'owner'`,
        [execution.organizationId],
      );
      const title = `Workflow "${disabled.name}" was disabled`;
      const body =
        `It failed ${FAILURE_STREAK_LIMIT} times in a row (last execution ${execution.id}). ` +
        `Fix it, then enable it again: ${deps.publicUrl}/v1/workflows/${execution.workflowId}`;
      await insertNotifications(em, {
        organizationId: execution.organizationId,
        userIds: users.map((user) => user.id),
        kind: 'workflow.disabled',
        title,
        body,
        about: { workflowId: execution.workflowId, executionId: execution.id },
      });
      return users.map((user) => ({ email: user.email, title, body }));
    });
    for (const owner of owners) {
      await deps.mailer
        .send({ to: owner.email, subject: owner.title, text: owner.body })
        .catch((error: unknown) =>
          deps.log.warn(
            { err: error, workflowId: execution.workflowId },
            'could not email an owner',
          ),
        );
    }
    if (owners.length > 0)
      deps.log.warn(
        { workflowId: execution.workflowId },
        'workflow disabled after repeated failures',
      );
  };
}
