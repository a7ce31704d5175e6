import type { AlertWorkflow } from './alert-digests';
import type { SlaBreaches } from './sla-breaches';

/** The in-app notification kind of an SLA digest. */
export const SLA_ALERT_KIND = 'workflow.sla_breached';

/** The title and text of an SLA digest, the same in-app and by email. */
export function describeSlaDigest(
  workflow: AlertWorkflow,
  digest: SlaBreaches,
  publicUrl: string,
): { title: string; body: string } {
  const breaches = digest.count === 1 ? '1 breach' : `${digest.count} breaches`;
  const limits = [`runs finish within ${digest.maxDurationSeconds} s of starting`];
  if (digest.maxStartDelaySeconds !== null)
    limits.push(`start within ${digest.maxStartDelaySeconds} s of being created`);
  const what = (kind: 'duration' | 'start_delay') =>
    kind === 'duration'
      ? `ran longer than ${digest.maxDurationSeconds} s`
      : `pending longer than ${digest.maxStartDelaySeconds ?? 0} s`;
  const more = digest.count - digest.latest.length;
  const body = [
    `Workflow "${workflow.name}": ${breaches} of its SLA between ${digest.firstBreachedAt.toISOString()} and ${digest.lastBreachedAt.toISOString()}.`,
    `SLA: ${limits.join('; ')}.`,
    `Breaching executions (newest first):`,
    ...digest.latest.map(
      (b) =>
        `  ${what(b.kind)} (since ${b.breachedAt}): ${publicUrl}/v1/executions/${b.executionId}`,
    ),
    ...(more > 0 ? [`  … and ${more} more`] : []),
    `Workflow: ${publicUrl}/v1/workflows/${workflow.id}`,
    `Change the SLA: PUT ${publicUrl}/v1/workflows/${workflow.id}/sla`,
    `Mute these alerts: PUT ${publicUrl}/v1/alert-settings`,
  ].join('\n');
  return { title: `Workflow "${workflow.name}" breached its SLA (${breaches})`, body };
}
