import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../db/org-context';
import {
  connectionSecretContext,
  eventSubscriptionSecretContext,
  hmacSecretContext,
  oidcLoginContext,
  totpSecretContext,
  variableSecretContext,
} from './contexts';
import type { SecretBox } from './secret-box';

/** A column holding secret-box values, and the AAD context each row's value is bound to. */
interface SealedColumn {
  table: string;
  column: string;
  /** The primary key (one column), for the batch cursor and the update. */
  key: string;
  /** Other columns the context needs. */
  reads?: string[];
  context(row: Record<string, string>): string;
  /** Rows whose column holds something else than a sealed value. */
  where?: string;
}

/**
 * Every sealed column in the schema. A new one must be listed here, or rotating the key and
 * then removing the old one leaves it unreadable (runner/test/identity/key-rotation.test.ts
 * checks this list against the entities' `*_enc` columns).
 */
export const SEALED_COLUMNS: SealedColumn[] = [
  {
    table: 'connections',
    column: 'secret_enc',
    key: 'id',
    context: (r) => connectionSecretContext(r.id!),
  },
  {
    table: 'triggers',
    column: 'hmac_secret_enc',
    key: 'id',
    reads: ['workflow_id'],
    context: (r) => hmacSecretContext(r.workflow_id!),
  },
  {
    table: 'user_totp',
    column: 'secret_enc',
    key: 'user_id',
    context: (r) => totpSecretContext(r.user_id!),
  },
  {
    table: 'organization_variables',
    column: 'value',
    key: 'id',
    where: 'secret',
    context: (r) => variableSecretContext(r.id!),
  },
  // Lives 10 minutes, but a sign-in in flight must survive the old key's removal too.
  {
    table: 'oidc_logins',
    column: 'code_verifier_enc',
    key: 'id',
    context: (r) => oidcLoginContext(r.id!),
  },
  {
    table: 'event_subscriptions',
    column: 'secret_enc',
    key: 'id',
    context: (r) => eventSubscriptionSecretContext(r.id!),
  },
];

export interface ColumnReport {
  table: string;
  column: string;
  /** Re-sealed with the current key by this run. */
  rotated: number;
  /** Could not be opened (unknown key or altered data): left as they were. */
  failed: number;
  /** Sealed with the current key after the run (this run's and earlier ones). */
  current: number;
  /** The table does not exist in this database (a module not installed yet). */
  skipped?: true;
}

export interface RotationOptions {
  batchSize?: number;
  onProgress?: (report: ColumnReport) => void;
  onFailure?: (where: { table: string; key: string; error: string }) => void;
}

/**
 * Re-seals every stored secret that is not sealed with the box's current key: in batches, one
 * transaction each (rows locked, then updated only if unchanged, so a concurrent write wins).
 * Rows already on the current key are not selected, so a second run does nothing and an
 * interrupted run resumes where it stopped. Afterwards the old keys can be removed from
 * MAESTRO_ENCRYPTION_OLD_KEYS.
 */
export async function rotateEncryptionKey(
  orm: MikroORM,
  box: SecretBox,
  currentKeyId: string,
  options: RotationOptions = {},
): Promise<ColumnReport[]> {
  const reports: ColumnReport[] = [];
  for (const sealed of SEALED_COLUMNS) {
    reports.push(await rotateColumn(orm, box, currentKeyId, sealed, options));
  }
  return reports;
}

async function rotateColumn(
  orm: MikroORM,
  box: SecretBox,
  currentKeyId: string,
  col: SealedColumn,
  { batchSize = 200, onProgress, onFailure }: RotationOptions,
): Promise<ColumnReport> {
  const report: ColumnReport = {
    table: col.table,
    column: col.column,
    rotated: 0,
    failed: 0,
    current: 0,
  };
  const exists = await withSystemContext(orm, (em) =>
    em.execute<{ t: string | null }[]>(`select to_regclass(?) as t`, [col.table]),
  );
  if (!exists[0]?.t) {
    onProgress?.({ ...report, skipped: true });
    return { ...report, skipped: true };
  }
  const pending = `"${col.column}" is not null and split_part("${col.column}", '.', 2) <> ?${col.where ? ` and ${col.where}` : ''}`;
  let after: string | null = null;
  for (;;) {
    const batch: { last: string | null; size: number } = await withSystemContext(orm, (em) =>
      rotateBatch(em, box, col, pending, [currentKeyId], after, batchSize, report, onFailure),
    );
    if (batch.size > 0) onProgress?.({ ...report });
    if (batch.size < batchSize) break;
    after = batch.last;
  }
  const [count] = await withSystemContext(orm, (em) =>
    em.execute<{ n: string }[]>(
      `select count(*) as n from "${col.table}" where split_part("${col.column}", '.', 2) = ?`,
      [currentKeyId],
    ),
  );
  report.current = Number(count?.n ?? 0);
  return report;
}

async function rotateBatch(
  em: EntityManager,
  box: SecretBox,
  col: SealedColumn,
  pending: string,
  params: unknown[],
  after: string | null,
  size: number,
  report: ColumnReport,
  onFailure: RotationOptions['onFailure'],
): Promise<{ last: string | null; size: number }> {
  const columns = [col.key, ...(col.reads ?? []), col.column].map((c) => `"${c}"`).join(', ');
  const rows = await em.execute<Record<string, string>[]>(
    `select ${columns} from "${col.table}" where ${pending}${after ? ` and "${col.key}" > ?` : ''}
     order by "${col.key}" limit ? for update`,
    [...params, ...(after ? [after] : []), size],
  );
  for (const row of rows) {
    const context = col.context(row);
    let resealed: string;
    try {
      resealed = box.seal(box.open(row[col.column]!, context), context);
    } catch (error) {
      report.failed++;
      onFailure?.({ table: col.table, key: row[col.key]!, error: (error as Error).message });
      continue;
    }
    await em.execute(
      `update "${col.table}" set "${col.column}" = ? where "${col.key}" = ? and "${col.column}" = ?`,
      [resealed, row[col.key], row[col.column]],
    );
    report.rotated++;
  }
  return { last: rows.at(-1)?.[col.key] ?? null, size: rows.length };
}
