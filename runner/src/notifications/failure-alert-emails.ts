import { sendAlertEmails, type SendAlertEmailsOptions } from './alert-emails';
import { FAILURE_DIGESTS } from './failure-alerts';

/** Emails the failure digests still pending (the outbox of alert-emails.ts). */
export const sendFailureAlertEmails = (options: SendAlertEmailsOptions): Promise<number> =>
  sendAlertEmails(FAILURE_DIGESTS, options);
