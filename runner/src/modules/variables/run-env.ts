import type { MikroORM } from '@mikro-orm/postgresql';
import { StepError } from '../../../../shared/src/engine/step-error';
import { listenForInvalidations } from '../../cache/cache-invalidation';
import { variableSecretContext } from '../../crypto/contexts';
import type { SecretBox } from '../../crypto/secret-box';
import { withOrgContext } from '../../db/org-context';
import type { PgListener } from '../../outbox/pg-listener';
import { TtlCache } from '../../http/ttl-cache';

/** What a run of one organization gets from its variables. */
export interface RunEnv {
  /** `env` of the expression context: every variable, secret ones decrypted. */
  env: Record<string, string>;
  /** The decrypted secret values: the engine redacts them from results, events and logs. */
  secrets: string[];
}

export interface RunEnvSource {
  /** Throws StepError INTERNAL when a secret cannot be decrypted (the run then fails saying so). */
  forOrganization(organizationId: string): Promise<RunEnv>;
}

export interface RunEnvCache extends RunEnvSource {
  invalidate(organizationId: string): void;
  close(): Promise<void>;
}

/** Bounds staleness if an invalidation is ever missed; changes normally arrive by NOTIFY at once. */
export const RUN_ENV_TTL_MS = 5_000;

/**
 * The worker's per-organization variables: loaded once per organization and
 * reused for RUN_ENV_TTL_MS, dropped at once when any process changes them
 * (NOTIFY on the cache-invalidation channel, when `listenUrl` is given).
 */
export function createRunEnvCache(options: {
  orm: MikroORM;
  box: SecretBox;
  listenUrl?: string;
  ttlMs?: number;
  onError?(error: unknown): void;
}): RunEnvCache {
  const cache = new TtlCache<Promise<RunEnv>>(options.ttlMs ?? RUN_ENV_TTL_MS, 5_000);
  const listener: PgListener | undefined = options.listenUrl
    ? listenForInvalidations({
        connectionString: options.listenUrl,
        onInvalidate: (name, key) => {
          if (name === 'variables') cache.clear(key);
        },
        clearAll: () => cache.clear(),
        onError: options.onError,
      })
    : undefined;
  return {
    forOrganization(organizationId) {
      const hit = cache.get(organizationId);
      if (hit) return hit;
      const loading = loadRunEnv(options.orm, options.box, organizationId);
      cache.set(organizationId, loading);
      // A failed load is not remembered: the next run tries again.
      loading.catch(() => cache.clear(organizationId));
      return loading;
    },
    invalidate: (organizationId) => cache.clear(organizationId),
    close: async () => listener?.close(),
  };
}

async function loadRunEnv(orm: MikroORM, box: SecretBox, organizationId: string): Promise<RunEnv> {
  const rows = await withOrgContext(orm, organizationId, (em) =>
    em.execute<{ id: string; key: string; value: string; secret: boolean }[]>(
      'select id, key, value, secret from organization_variables where organization_id = ?',
      [organizationId],
    ),
  );
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  const secrets: string[] = [];
  for (const row of rows) {
    if (!row.secret) {
      env[row.key] = row.value;
      continue;
    }
    let value: string;
    try {
      value = box.open(row.value, variableSecretContext(row.id));
    } catch {
      throw new StepError(
        'INTERNAL',
        `variable ${row.key}: its secret value cannot be decrypted (key missing or data altered)`,
        { retryable: false },
      );
    }
    env[row.key] = value;
    secrets.push(value);
  }
  return { env, secrets };
}
