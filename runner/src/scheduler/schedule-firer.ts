import type { MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../db/org-context';
import { createExecution } from '../outbox/create-execution';
import { recordQuotaRefusal } from '../modules/quotas/quota-notifications';
import type { Log } from '../worker/logger';
import { planDue } from './cron-times';

interface DueTrigger {
  id: string;
  organization_id: string;
  workflow_id: string;
  version_id: string;
  cron: string;
  timezone: string | null;
  next_due_at: Date;
  enabled: boolean;
}

/**
 * Fires due schedules. Each due trigger is locked (FOR UPDATE SKIP LOCKED) so
 * schedulers share the work, and each due time is written to schedule_fires
 * (primary key trigger + due time) in the same transaction as its execution:
 * whatever the number of schedulers and however their clocks interleave, a
 * due time starts at most one execution, and one always when a scheduler runs.
 * Returns the number of executions started.
 */
export async function fireDueSchedules(
  orm: MikroORM,
  log: Log,
  now = new Date(),
  batch = 100,
): Promise<number> {
  return withSystemContext(orm, async (em) => {
    const due = await em.execute<DueTrigger[]>(
      `select t.id, t.organization_id, t.workflow_id, t.version_id, t.cron, t.timezone, t.next_due_at, w.enabled
         from triggers t join workflows w on w.id = t.workflow_id
        where t.kind = 'schedule' and t.active and t.next_due_at <= ?
        order by t.next_due_at
        limit ?
        for update of t skip locked`,
      [now, batch],
    );
    let fired = 0;
    for (const trigger of due) {
      const plan = planDue(
        trigger.cron,
        trigger.timezone ?? 'UTC',
        new Date(trigger.next_due_at),
        now,
      );
      if (plan.skipped > 0) {
        log.warn(
          { triggerId: trigger.id, skipped: plan.skipped },
          'missed schedule times skipped (only the latest fires)',
        );
      }
      if (plan.fire && trigger.enabled) {
        const inserted = await em.execute<{ trigger_id: string }[]>(
          `insert into schedule_fires (trigger_id, due_at, fired_at) values (?, ?, now())
           on conflict do nothing returning trigger_id`,
          [trigger.id, plan.fire],
        );
        const started =
          inserted.length > 0
            ? await createExecution(em, {
                orgId: trigger.organization_id,
                workflowId: trigger.workflow_id,
                versionId: trigger.version_id,
                input: { scheduledAt: plan.fire.toISOString(), firedAt: now.toISOString() },
                trigger: 'schedule',
              }).catch(async (error: unknown) => {
                // Over the monthly quota: the due time counts as fired (with no execution) and
                // the owners are told, rather than retrying it on every tick.
                const what = `The schedule of workflow ${trigger.workflow_id} due ${plan.fire!.toISOString()}`;
                const refused = { workflowId: trigger.workflow_id, what };
                if (!(await recordQuotaRefusal(em, trigger.organization_id, error, refused)))
                  throw error;
                log.warn(
                  { triggerId: trigger.id },
                  'schedule skipped: monthly execution quota used up',
                );
                return undefined;
              })
            : undefined;
        if (started) {
          await em.execute(
            'update schedule_fires set execution_id = ? where trigger_id = ? and due_at = ?',
            [started.id, trigger.id, plan.fire],
          );
          fired++;
        }
      }
      await em.execute('update triggers set next_due_at = ? where id = ?', [plan.next, trigger.id]);
    }
    return fired;
  });
}
