import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/**
 * OpenID Connect sign-in (runner/src/identity/oidc). Platform-wide, like users: an identity
 * belongs to a user, not to an organization.
 */

/** A user's account at an identity provider: later sign-ins match by (provider, subject) first. */
export const UserIdentity = defineEntity({
  name: 'UserIdentity',
  tableName: 'user_identities',
  uniques: [{ properties: ['providerId', 'subject'] }],
  properties: {
    id: generatedId(),
    providerId: p.string().length(32),
    subject: p.string().length(255),
    userId: p.uuid().index(),
    /** The verified email the provider sent when the link was made (for support, not matching). */
    email: p.string(),
    createdAt: insertedAt(),
    lastLoginAt: p.datetime().nullable(),
  },
});

/**
 * One sign-in in flight (at most 10 minutes), shared by every API process. Step 1 (start →
 * callback): looked up by the hash of the `state` sent to the provider, single use. Step 2
 * (callback → exchange): looked up by the hash of the one-time code sent to the client.
 * A step-up re-authentication (`reauthUserId` set) goes the same way, but its code is redeemed
 * by the signed-in user's 2FA enrolment instead of the exchange.
 */
export const OidcLogin = defineEntity({
  name: 'OidcLogin',
  tableName: 'oidc_logins',
  properties: {
    id: generatedId(),
    providerId: p.string().length(32),
    stateHash: p.string().length(64).nullable().unique(),
    nonce: p.string().length(128),
    /** The PKCE verifier for the provider, sealed with the secret box (bound to this row). */
    codeVerifierEnc: p.text().hidden(),
    /** Where the client wants the one-time code (checked against MAESTRO_OIDC_REDIRECT_URIS). */
    redirectUri: p.text(),
    clientState: p.string().length(500).nullable(),
    /** The client's own PKCE challenge (S256): the exchange must present its verifier. */
    clientChallenge: p.string().length(64),
    userId: p.uuid().nullable(),
    /** A step-up re-authentication of this signed-in user (not a sign-in): only they can redeem it. */
    reauthUserId: p.uuid().nullable(),
    codeHash: p.string().length(64).nullable().unique(),
    expiresAt: p.datetime().index(),
    createdAt: insertedAt(),
  },
});
