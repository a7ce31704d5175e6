import type { RunnerConfig } from '../../config/config';
import { readLinkToken, signLinkToken } from '../auth/link-token';

const AUDIENCE = 'maestro-invitation';
/** How long an invitation link works (docs/runner.md); the row's expires_at says the same. */
export const INVITATION_LIFETIME_DAYS = 7;

export interface InvitationClaims {
  invitationId: string;
  organizationId: string;
  email: string;
}

/**
 * A signed token naming the invitation row, its organization and the invited address. The
 * signature makes it unforgeable; the row makes it single-use and revocable.
 */
export function signInvitationToken(config: RunnerConfig, claims: InvitationClaims) {
  return signLinkToken(config, {
    audience: AUDIENCE,
    lifetime: `${INVITATION_LIFETIME_DAYS}d`,
    subject: claims.invitationId,
    claims: { org: claims.organizationId, email: claims.email },
  });
}

export async function readInvitationToken(
  config: RunnerConfig,
  token: string,
): Promise<InvitationClaims | null> {
  const payload = await readLinkToken(config, AUDIENCE, token);
  if (!payload || typeof payload.org !== 'string' || typeof payload.email !== 'string') return null;
  return { invitationId: payload.sub, organizationId: payload.org, email: payload.email };
}

export function invitationMail(
  config: RunnerConfig,
  invite: { to: string; organizationName: string; inviterName: string | null; token: string },
) {
  const link = `${config.publicUrl}/accept-invitation?token=${encodeURIComponent(invite.token)}`;
  const who = invite.inviterName ? `${invite.inviterName} invited you` : 'You are invited';
  return {
    to: invite.to,
    subject: `Join ${invite.organizationName} on Maestro`,
    text: `${who} to join the organization "${invite.organizationName}" on Maestro.\n\nAccept within ${INVITATION_LIFETIME_DAYS} days by opening this link:\n${link}\n\nIf you did not expect this invitation, ignore this message.`,
  };
}
