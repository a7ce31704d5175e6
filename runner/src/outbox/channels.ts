/**
 * PostgreSQL NOTIFY channels. Notifications are only hints (a listener that
 * misses one catches up by polling), so a spurious wake-up is harmless.
 */
export const OUTBOX_CHANNEL = 'maestro_outbox';
/** Payload: the execution id. Sent in the transaction that stores a final status. */
export const EXECUTION_FINISHED_CHANNEL = 'maestro_execution_finished';
/** Payload: the execution id. Sent by the cancel route (runner-platform) or anyone setting cancel_requested_at. */
export const EXECUTION_CANCEL_CHANNEL = 'maestro_execution_cancel';

/** The outbox topic for "run this execution". */
export const EXECUTION_START_TOPIC = 'execution.start';
