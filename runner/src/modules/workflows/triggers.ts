import { randomBytes } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import type { Workflow as WorkflowDoc } from '../../../../shared/src/model/workflow';
import { getNodeDefinition, isTriggerType } from '../../../../shared/src/nodes/registry';
import type { TriggerKind } from '../../db/entities/workflow';
import { badRequest } from '../../http/problem';

/** The runner polls no more often than this (workflow-v1.md). */
export const MIN_POLL_INTERVAL_SECONDS = 60;

/** What a trigger row holds for a version, before ids and carried-over state are added. */
export interface TriggerPlan {
  kind: TriggerKind;
  webhookMethod?: string;
  respondMode?: string;
  cron?: string;
  timezone?: string;
  nextDueAt?: Date;
  pollIntervalSeconds?: number;
}

/** Reads the trigger node of a validated workflow into a trigger plan (400 with a path if the runner cannot host it). */
export function planTrigger(doc: WorkflowDoc, now = new Date()): TriggerPlan {
  const index = doc.nodes.findIndex((n) => isTriggerType(n.type));
  const node = doc.nodes[index];
  if (!node)
    throw badRequest('the workflow has no trigger', [
      { path: 'definition.nodes', message: 'needs a trigger node' },
    ]);
  const path = `definition.nodes[${index}].config`;
  const parsed = getNodeDefinition(node.type)?.config.safeParse(node.config ?? {});
  if (!parsed?.success) {
    throw badRequest('the trigger cannot be registered', [
      { path, message: parsed?.error.issues[0]?.message ?? 'unknown trigger type' },
    ]);
  }
  const config = parsed.data as Record<string, unknown>;
  switch (node.type) {
    case 'trigger.webhook':
      return {
        kind: 'webhook',
        webhookMethod: String(config.method),
        respondMode: String(config.respond),
      };
    case 'trigger.schedule': {
      const cron = String(config.cron);
      const timezone = String(config.timezone ?? 'UTC');
      return { kind: 'schedule', cron, timezone, nextDueAt: nextCronTime(cron, timezone, now) };
    }
    case 'trigger.poll': {
      const interval = Number(config.intervalSeconds);
      if (interval < MIN_POLL_INTERVAL_SECONDS) {
        throw badRequest('the poll interval is too short for the runner', [
          {
            path: `${path}.intervalSeconds`,
            message: `must be at least ${MIN_POLL_INTERVAL_SECONDS} on the runner`,
          },
        ]);
      }
      return { kind: 'poll', pollIntervalSeconds: interval, nextDueAt: now };
    }
    default:
      return { kind: 'manual' };
  }
}

/** The first due time strictly after `after`, in the schedule's time zone. */
export function nextCronTime(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate();
}

/** 32 random bytes, base64url: the webhook URL is the credential. */
export function newWebhookToken(): string {
  return randomBytes(32).toString('base64url');
}
