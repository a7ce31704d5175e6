import type { RunnerConfig } from '../../config/config';
import { readLinkToken, signLinkToken } from './link-token';

const AUDIENCE = 'maestro-verify-email';
const LIFETIME = '24h';

/** What the API needs to send mail; the notifications mailer satisfies it. */
export interface MailSender {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

/**
 * A signed, stateless verification token: it names the user and the address it was sent
 * to, so changing the email later invalidates links sent to the old one.
 */
export function signVerificationToken(
  config: RunnerConfig,
  userId: string,
  email: string,
): Promise<string> {
  return signLinkToken(config, {
    audience: AUDIENCE,
    lifetime: LIFETIME,
    subject: userId,
    claims: { email },
  });
}

export async function readVerificationToken(
  config: RunnerConfig,
  token: string,
): Promise<{ userId: string; email: string } | null> {
  const payload = await readLinkToken(config, AUDIENCE, token);
  if (!payload || typeof payload.email !== 'string') return null;
  return { userId: payload.sub, email: payload.email };
}

export function verificationMail(config: RunnerConfig, to: string, token: string) {
  const link = `${config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: 'Confirm your Maestro email address',
    text: `Welcome to Maestro.\n\nConfirm your email address by opening this link within 24 hours:\n${link}\n\nIf you did not create an account, ignore this message.`,
  };
}
