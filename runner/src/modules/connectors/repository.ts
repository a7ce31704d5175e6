import type { EntityManager } from '@mikro-orm/postgresql';
import { connectionSecretContext } from '../../crypto/contexts';
import type { SecretBox } from '../../crypto/secret-box';
import type { ConnectionEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { Connection } from '../../db/entities/connector';
import { newId } from '../../db/ids';
import { conflict } from '../../http/problem';

/** Seals the secrets bound to the new row's id, so the ciphertext opens for this connection only. */
export async function createConnection(
  em: EntityManager,
  box: SecretBox,
  input: {
    orgId: string;
    name: string;
    kind: string;
    connectorId: string | null;
    secrets: Record<string, unknown>;
    actor: string | null;
  },
): Promise<ConnectionEntity> {
  if (await em.findOne(Connection, { name: input.name }))
    throw conflict(`a connection named "${input.name}" exists`);
  const id = newId();
  const connection = em.create(Connection, {
    id,
    organizationId: input.orgId,
    connectorId: input.connectorId,
    name: input.name,
    kind: input.kind,
    secretEnc: box.sealJson(input.secrets, connectionSecretContext(id)),
  });
  em.create(AuditEvent, {
    organizationId: input.orgId,
    actorUserId: input.actor,
    action: 'connection.created',
    targetType: 'connection',
    targetId: id,
    // Field names only: values never reach logs or audit rows.
    details: { fields: Object.keys(input.secrets) },
  });
  await em.flush();
  return connection;
}

export function secretFieldsOf(box: SecretBox, c: ConnectionEntity): string[] {
  try {
    return Object.keys(
      box.openJson<Record<string, unknown>>(c.secretEnc, connectionSecretContext(c.id)),
    );
  } catch {
    return [];
  }
}
