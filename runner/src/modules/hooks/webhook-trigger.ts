import type { MikroORM } from '@mikro-orm/postgresql';
import {
  compileTemplate,
  type CompiledTemplate,
} from '../../../../shared/src/expressions/template';
import type { ExpressionContext } from '../../../../shared/src/expressions/context';
import { withSystemContext } from '../../db/org-context';

/** What the webhook entry needs to know about a token. */
export interface WebhookTrigger {
  triggerId: string;
  organizationId: string;
  workflowId: string;
  versionId: string;
  method: string;
  respondMode: 'accepted' | 'onCompletion';
  hmacSecretEnc: string | null;
  workflowEnabled: boolean;
  dedupeKey?: CompiledTemplate;
  dedupeWindowSeconds?: number;
  /** Ids of the version's `respond` nodes, whose output is the reply on completion. */
  respondStepIds: string[];
}

interface TriggerRow {
  id: string;
  organization_id: string;
  workflow_id: string;
  version_id: string;
  webhook_method: string | null;
  respond_mode: string | null;
  hmac_secret_enc: string | null;
  enabled: boolean;
  definition: {
    nodes?: { id: string; type: string; dedupeKey?: string; dedupeWindowSeconds?: number }[];
  };
}

export interface WebhookTriggerLookup {
  find(token: string): Promise<WebhookTrigger | undefined>;
}

/**
 * Resolves webhook tokens (cross-organization by nature: system context). A
 * short cache keeps the hot path at one transaction per request; a new
 * version, a rotated secret or a disabled workflow is seen within `ttlMs`.
 */
export function createWebhookTriggerLookup(orm: MikroORM, ttlMs = 2_000): WebhookTriggerLookup {
  const cache = new Map<string, { at: number; value: Promise<WebhookTrigger | undefined> }>();
  return {
    find(token) {
      const hit = cache.get(token);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(orm, token);
      cache.set(token, { at: Date.now(), value });
      value.catch(() => cache.delete(token));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
      return value;
    },
  };
}

async function load(orm: MikroORM, token: string): Promise<WebhookTrigger | undefined> {
  const [row] = await withSystemContext(orm, (em) =>
    em.execute<TriggerRow[]>(
      `select t.id, t.organization_id, t.workflow_id, t.version_id, t.webhook_method, t.respond_mode, t.hmac_secret_enc,
              w.enabled, v.definition
         from triggers t
         join workflows w on w.id = t.workflow_id
         join workflow_versions v on v.id = t.version_id
        where t.webhook_token = ? and t.kind = 'webhook' and t.active`,
      [token],
    ),
  );
  if (!row) return undefined;
  const nodes = row.definition.nodes ?? [];
  const triggerNode = nodes.find((node) => node.type === 'trigger.webhook');
  return {
    triggerId: row.id,
    organizationId: row.organization_id,
    workflowId: row.workflow_id,
    versionId: row.version_id,
    method: (row.webhook_method ?? 'POST').toUpperCase(),
    respondMode: row.respond_mode === 'onCompletion' ? 'onCompletion' : 'accepted',
    hmacSecretEnc: row.hmac_secret_enc,
    workflowEnabled: row.enabled,
    dedupeKey: triggerNode?.dedupeKey ? compileTemplate(triggerNode.dedupeKey) : undefined,
    dedupeWindowSeconds: triggerNode?.dedupeWindowSeconds,
    respondStepIds: nodes.filter((node) => node.type === 'respond').map((node) => node.id),
  };
}

/** The dedupe key of one event: a template over the trigger output; empty or missing means "no key". */
export async function evaluateDedupeKey(
  trigger: WebhookTrigger,
  output: Record<string, unknown>,
): Promise<string | undefined> {
  if (!trigger.dedupeKey) return undefined;
  // The spec evaluates dedupeKey over the trigger output itself (`{{ headers."x-delivery-id" }}`).
  const value = await trigger.dedupeKey.evaluate(output as unknown as ExpressionContext);
  if (value === undefined || value === null || value === '') return undefined;
  const key = typeof value === 'string' ? value : JSON.stringify(value);
  return key.slice(0, 255);
}
