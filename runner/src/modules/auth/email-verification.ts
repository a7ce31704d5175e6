import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { RunnerConfig } from '../../config/config';

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
  return new SignJWT({ email })
    .setProtectedHeader({ alg: 'HS256', kid: config.jwt.kid })
    .setSubject(userId)
    .setIssuer(config.jwt.issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(LIFETIME)
    .sign(config.jwt.secret);
}

export async function readVerificationToken(
  config: RunnerConfig,
  token: string,
): Promise<{ userId: string; email: string } | null> {
  try {
    const { payload } = await jwtVerify(token, config.jwt.secret, {
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: AUDIENCE,
    });
    if (!payload.sub || typeof payload.email !== 'string') return null;
    return { userId: payload.sub, email: payload.email };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

export function verificationMail(config: RunnerConfig, to: string, token: string) {
  const link = `${config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: 'Confirm your Maestro email address',
    text: `Welcome to Maestro.\n\nConfirm your email address by opening this link within 24 hours:\n${link}\n\nIf you did not create an account, ignore this message.`,
  };
}
