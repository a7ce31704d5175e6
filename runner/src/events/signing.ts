import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/**
 * A new signing secret in the Standard Webhooks form (`whsec_` + base64 of 32 random bytes), so
 * receivers can use the spec's libraries as they are.
 */
export function generateSigningSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The headers of one delivery attempt (Standard Webhooks: webhook-id, -timestamp, -signature). */
export function signedHeaders(
  secret: string,
  eventId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1_000).toString();
  const key = Buffer.from(
    secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret,
    'base64',
  );
  const signature = createHmac('sha256', key)
    .update(`${eventId}.${timestamp}.${body}`)
    .digest('base64');
  return {
    'webhook-id': eventId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
