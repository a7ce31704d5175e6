import type { MikroORM } from '@mikro-orm/postgresql';
import type { ResolvedConnection, SecretResolver } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import { connectionSecretContext } from '../crypto/contexts';
import type { SecretBox } from '../crypto/secret-box';
import { withOrgContext } from '../db/org-context';

/**
 * The decrypted secret of a Connection. Recognised fields: `token` (Bearer),
 * `username` + `password` (Basic), `headers`, `query`. Every string value in
 * it is treated as secret (redacted from results and logs).
 */
interface ConnectionSecret {
  token?: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Resolves `auth: { connection }` for one organization's run: looks the
 * connection up by id or by name inside that organization only (RLS and the
 * org filter apply), then opens its sealed secret.
 */
export function createSecretResolver(
  orm: MikroORM,
  box: SecretBox,
  organizationId: string,
): SecretResolver {
  return {
    async resolveConnection(reference) {
      const row = await withOrgContext(orm, organizationId, async (em) => {
        const isUuid = /^[0-9a-f-]{36}$/i.test(reference);
        const rows = await em.execute<{ id: string; secret_enc: string }[]>(
          `select id, secret_enc from connections where organization_id = ? and (${isUuid ? 'id = ?::uuid or ' : ''}name = ?) limit 1`,
          isUuid ? [organizationId, reference, reference] : [organizationId, reference],
        );
        return rows[0];
      });
      if (!row)
        throw new StepError('VALIDATION', `connection "${reference}" does not exist`, {
          retryable: false,
        });
      return toResolved(openSecret(box, row.secret_enc, row.id));
    },
  };
}

function openSecret(box: SecretBox, sealed: string, id: string): ConnectionSecret {
  try {
    return box.openJson<ConnectionSecret>(sealed, connectionSecretContext(id));
  } catch {
    throw new StepError(
      'INTERNAL',
      `connection ${id}: its secret cannot be decrypted (key missing or data altered)`,
      {
        retryable: false,
      },
    );
  }
}

export function toResolved(secret: ConnectionSecret): ResolvedConnection {
  const headers: Record<string, string> = { ...secret.headers };
  if (secret.token) headers.authorization = `Bearer ${secret.token}`;
  if (secret.username !== undefined && secret.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`;
  }
  const secrets = collectStrings(secret).concat(Object.values(headers));
  return {
    headers,
    query: secret.query,
    secrets: [...new Set(secrets)].filter((s) => s.length > 0),
  };
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}
