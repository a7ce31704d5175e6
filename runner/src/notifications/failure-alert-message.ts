import type { StepErrorInfo } from '../../../shared/src/model/run-result';

/** The in-app notification kind of a failure digest. */
export const FAILURE_ALERT_KIND = 'workflow.failures';

/** Long error messages are cut: the execution itself keeps the whole text. */
const MAX_ERROR_CHARS = 500;

export interface FailureDigest {
  workflowId: string;
  workflowName: string;
  failures: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  /** As stored on the execution: the engine redacted secrets from it before it was written. */
  firstError: (StepErrorInfo & { step?: string }) | null;
  /** Newest first. */
  latestExecutionIds: string[];
}

/** The title and text of a digest, the same in-app and by email. */
export function describeFailureDigest(
  digest: FailureDigest,
  publicUrl: string,
): { title: string; body: string } {
  const runs =
    digest.failures === 1 ? '1 failed execution' : `${digest.failures} failed executions`;
  const title = `Workflow "${digest.workflowName}" failed (${runs})`;
  const error = digest.firstError;
  const message = error
    ? `${error.step ? `step "${error.step}": ` : ''}${error.code}: ${cut(error.message)}`
    : 'no error recorded';
  const links = digest.latestExecutionIds.map((id) => `${publicUrl}/v1/executions/${id}`);
  const body = [
    `Workflow "${digest.workflowName}": ${runs} between ${digest.firstFailedAt.toISOString()} and ${digest.lastFailedAt.toISOString()}.`,
    `First error: ${message}`,
    `Latest failed executions:`,
    ...links.map((link) => `  ${link}`),
    `Workflow: ${publicUrl}/v1/workflows/${digest.workflowId}`,
    `Mute these alerts: PUT ${publicUrl}/v1/alert-settings`,
  ].join('\n');
  return { title, body };
}

function cut(text: string): string {
  const chars = Array.from(text);
  return chars.length <= MAX_ERROR_CHARS ? text : `${chars.slice(0, MAX_ERROR_CHARS).join('')}…`;
}
