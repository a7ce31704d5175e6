import type { EntityManager } from '@mikro-orm/postgresql';
import { variableSecretContext } from '../../crypto/contexts';
import type { SecretBox } from '../../crypto/secret-box';
import type { OrganizationVariableEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { OrganizationVariable } from '../../db/entities/variables';
import { newId } from '../../db/ids';
import { badRequest, conflict, notFound } from '../../http/problem';
import { VARIABLE_LIMITS, type VariableBody } from './schemas';

export interface VariableActor {
  actorUserId: string | null;
  actorApiKeyId: string | null;
}

/** The API's view of a variable: a secret value is never shown. */
export function variableInfo(v: OrganizationVariableEntity) {
  return {
    key: v.key,
    value: v.secret ? null : v.value,
    secret: v.secret,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    updatedBy: v.updatedBy ?? null,
  };
}

/**
 * Creates or replaces one variable (in the caller's organization transaction)
 * and writes the audit event. Workers reload the organization's variables once
 * this commits (a trigger sends the cache invalidation: cache/cache-invalidation.ts).
 */
export async function setVariable(
  em: EntityManager,
  box: SecretBox,
  input: { orgId: string; key: string; body: VariableBody; actor: VariableActor },
): Promise<{ variable: OrganizationVariableEntity; created: boolean }> {
  const { orgId, key, body, actor } = input;
  // Serialises writers of one organization: the count below cannot be raced past the limit.
  await em.execute('select 1 from organizations where id = ? for update', [orgId]);
  let variable = await em.findOne(OrganizationVariable, { key });
  const created = !variable;
  const secret = body.secret ?? variable?.secret ?? false;
  if (secret && body.value.length < VARIABLE_LIMITS.secretMinLength) {
    throw badRequest('the request is not valid', [
      {
        path: 'value',
        message: `a secret value needs at least ${VARIABLE_LIMITS.secretMinLength} characters (a shorter one would be redacted wherever that text appears)`,
      },
    ]);
  }
  if (!variable) {
    const count = await em.count(OrganizationVariable, {});
    if (count >= VARIABLE_LIMITS.perOrganization) {
      throw conflict(
        `the organization has ${count} variables, the most allowed is ${VARIABLE_LIMITS.perOrganization}: delete one first`,
      );
    }
    variable = em.create(OrganizationVariable, {
      id: newId(),
      organizationId: orgId,
      key,
      value: '',
      secret,
    });
  }
  variable.secret = secret;
  variable.value = secret ? box.seal(body.value, variableSecretContext(variable.id)) : body.value;
  variable.updatedBy = actor.actorUserId;
  em.create(AuditEvent, {
    organizationId: orgId,
    ...actor,
    action: created ? 'variable.created' : 'variable.updated',
    targetType: 'variable',
    targetId: key,
    // Never the value, secret or not: audit rows are read by more people than variables are.
    details: { secret },
  });
  await em.flush();
  return { variable, created };
}

export async function deleteVariable(
  em: EntityManager,
  input: { orgId: string; key: string; actor: VariableActor },
): Promise<void> {
  const variable = await em.findOne(OrganizationVariable, { key: input.key });
  if (!variable) throw notFound('variable');
  em.remove(variable);
  em.create(AuditEvent, {
    organizationId: input.orgId,
    ...input.actor,
    action: 'variable.deleted',
    targetType: 'variable',
    targetId: input.key,
    details: { secret: variable.secret },
  });
  await em.flush();
}
