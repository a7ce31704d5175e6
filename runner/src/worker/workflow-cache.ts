import type { MikroORM } from '@mikro-orm/postgresql';
import { prepareWorkflow, type PreparedWorkflow } from '../../../shared/src/engine/prepare';
import { validateWorkflow } from '../../../shared/src/validation/validate-workflow';
import { withSystemContext } from '../db/org-context';

/**
 * Prepared workflows by version id. Versions are immutable, so an entry never
 * goes stale; the cache is only bounded in size.
 */
export interface WorkflowCache {
  get(versionId: string): Promise<PreparedWorkflow>;
}

export function createWorkflowCache(orm: MikroORM, maxEntries = 500): WorkflowCache {
  const entries = new Map<string, Promise<PreparedWorkflow>>();
  return {
    get(versionId) {
      const hit = entries.get(versionId);
      if (hit) {
        // Re-insert: Map order doubles as least-recently-used order.
        entries.delete(versionId);
        entries.set(versionId, hit);
        return hit;
      }
      const loading = load(orm, versionId);
      entries.set(versionId, loading);
      loading.catch(() => entries.delete(versionId));
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return loading;
    },
  };
}

async function load(orm: MikroORM, versionId: string): Promise<PreparedWorkflow> {
  const [row] = await withSystemContext(orm, (em) =>
    em.execute<{ definition: unknown }[]>('select definition from workflow_versions where id = ?', [
      versionId,
    ]),
  );
  if (!row) throw new Error(`workflow version ${versionId} does not exist`);
  const validated = validateWorkflow(row.definition);
  if (!validated.ok) {
    throw new Error(
      `workflow version ${versionId} is not valid: ${validated.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return prepareWorkflow(validated.workflow);
}
