import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';
import { WORKFLOW_ACCESS_LEVELS } from '../../../../shared/src/contracts/runner-api/workflows';

export { WORKFLOW_ACCESS_LEVELS };
/** view: read it and its executions; run: also start and cancel executions; edit: also change it. */
export type WorkflowAccessLevel = (typeof WORKFLOW_ACCESS_LEVELS)[number];

/** A named member's access to a restricted workflow (`workflows.restricted`). */
export const WorkflowGrant = defineEntity({
  name: 'WorkflowGrant',
  tableName: 'workflow_grants',
  uniques: [{ properties: ['workflowId', 'userId'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    workflowId: p.uuid(),
    userId: p.uuid().index(),
    access: p.enum([...WORKFLOW_ACCESS_LEVELS]),
    createdAt: insertedAt(),
  },
});
