import type { SlaBreach } from '../db/entities/sla';
import { recordDigests, type DigestKind, type RecordAlertsOptions } from './alert-digests';
import { sendAlertEmails, type SendAlertEmailsOptions } from './alert-emails';
import { describeSlaDigest, SLA_ALERT_KIND } from './sla-alert-message';
import { breachesBetween, findWorkflowsWithBreaches, type SlaBreaches } from './sla-breaches';

interface StoredSlaAlert {
  workflow_id: string;
  name: string;
  breach_count: number;
  first_breached_at: string;
  last_breached_at: string;
  breaches: SlaBreach[];
  max_duration_seconds: number;
  max_start_delay_seconds: number | null;
}

/** SLA breaches: slow runs and runs left pending (decision 0018), on the machinery of 0016. */
export const SLA_DIGESTS: DigestKind<SlaBreaches> = {
  kind: SLA_ALERT_KIND,
  cursorTable: 'sla_alert_cursors',
  alertTable: 'sla_alerts',
  findDue: findWorkflowsWithBreaches,
  collect: (em, workflowId, since, bounds) => breachesBetween(em, workflowId, since, bounds.to),
  alertColumns: (digest) => ({
    breach_count: digest.count,
    first_breached_at: digest.firstBreachedAt,
    last_breached_at: digest.lastBreachedAt,
    breaches: digest.latest,
    max_duration_seconds: digest.maxDurationSeconds,
    max_start_delay_seconds: digest.maxStartDelaySeconds,
  }),
  async readStored(em, alertId) {
    const [row] = await em.execute<StoredSlaAlert[]>(
      `select a.workflow_id, w.name, a.breach_count, a.first_breached_at, a.last_breached_at, a.breaches,
              a.max_duration_seconds, a.max_start_delay_seconds
         from sla_alerts a join workflows w on w.id = a.workflow_id
        where a.id = ?`,
      [alertId],
    );
    if (!row) return undefined;
    return {
      workflow: { id: row.workflow_id, name: row.name },
      digest: {
        count: row.breach_count,
        firstBreachedAt: new Date(row.first_breached_at),
        lastBreachedAt: new Date(row.last_breached_at),
        latest: row.breaches,
        maxDurationSeconds: row.max_duration_seconds,
        maxStartDelaySeconds: row.max_start_delay_seconds,
      },
    };
  },
  executionOf: (digest) => digest.latest[0]?.executionId ?? null,
  describe: describeSlaDigest,
};

/** Writes one SLA digest per workflow whose breaches are due; returns the alert ids. */
export const recordSlaAlerts = (options: RecordAlertsOptions, now = new Date()) =>
  recordDigests(SLA_DIGESTS, options, now);

/** Emails the SLA digests still pending. */
export const sendSlaAlertEmails = (options: SendAlertEmailsOptions): Promise<number> =>
  sendAlertEmails(SLA_DIGESTS, options);
