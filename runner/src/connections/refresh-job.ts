import type { MikroORM } from '@mikro-orm/postgresql';
import type { HttpClient } from '../../../shared/src/engine/host';
import type { SecretBox } from '../crypto/secret-box';
import { withSystemContext } from '../db/org-context';
import type { Mailer } from '../notifications/mailer';
import type { Log } from '../worker/logger';
import { notifyReauthorizationNeeded } from './reauthorization-notice';
import {
  LOCKED_CONNECTION_COLUMNS,
  refreshLockedConnection,
  type LockedConnection,
} from './token-refresh';

export interface RefreshJobDeps {
  orm: MikroORM;
  box: SecretBox;
  /** SSRF-guarded clients: strict, and open for organizations that allow private networks. */
  http: { strict: HttpClient; open: HttpClient };
  log: Log;
  /** Emails the owners about `needs_reauthorization`; in-app notifications are written anyway. */
  mailer?: Mailer;
  publicUrl?: string;
}

export interface RefreshJobResult {
  refreshed: number;
  failed: number;
  notified: number;
}

/**
 * The scheduler's connection job (every minute): refreshes the OAuth 2.0 connections that are due
 * (24 h before expiry, or after a failure's backoff), then tells the owners of those that need
 * re-authorization. Each connection is taken in its own transaction with `for update skip
 * locked`, so with several schedulers each refresh happens once, and a worker refreshing the
 * same connection inline waits for the row instead of refreshing it a second time.
 */
export async function runConnectionJob(
  deps: RefreshJobDeps,
  now: Date = new Date(),
  batch = 50,
): Promise<RefreshJobResult> {
  const result: RefreshJobResult = { refreshed: 0, failed: 0, notified: 0 };
  for (let i = 0; i < batch; i++) {
    const outcome = await withSystemContext(deps.orm, async (em) => {
      const [row] = await em.execute<LockedConnection[]>(
        `select ${LOCKED_CONNECTION_COLUMNS}
           from connections c join organizations o on o.id = c.organization_id
          where c.kind = 'oauth2' and c.status <> 'needs_reauthorization' and c.refresh_due_at <= ?
          order by c.refresh_due_at limit 1 for update of c skip locked`,
        [now],
      );
      if (!row) return undefined;
      const http = row.allow_private_network ? deps.http.open : deps.http.strict;
      const refreshed = await refreshLockedConnection(em, { box: deps.box, http }, row);
      return { row, refreshed };
    });
    if (!outcome) break;
    const { row, refreshed } = outcome;
    const where = { connectionId: row.id, organizationId: row.organization_id };
    if (refreshed.ok) {
      result.refreshed++;
      deps.log.info(
        { ...where, expiresAt: refreshed.expiresAt?.toISOString() ?? null },
        'oauth2 token refreshed',
      );
    } else {
      result.failed++;
      deps.log.warn(
        { ...where, status: refreshed.status, error: refreshed.error },
        'oauth2 token refresh failed',
      );
    }
  }
  result.notified = await notifyReauthorizationNeeded(deps, batch);
  return result;
}
