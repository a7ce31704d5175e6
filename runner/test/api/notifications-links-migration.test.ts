/**
 * Migration notification_links on a database that already holds notifications: the rows
 * written before it get their workflow, execution and connection ids from their text (so the
 * desktop needs no text fallback), and rows naming nothing stay without ids.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids';
import { ormOptions } from '../../src/db/orm';
import { describeFailureDigest } from '../../src/notifications/failure-alert-message';
import { seedOrg } from '../support/execution-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

const MIGRATION = 'Migration20261125123000_notification_links';
const PUBLIC_URL = 'https://runner.example';

let db: TestDatabase;
let owner: MikroORM;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await MikroORM.init(ormOptions({ databaseUrl: db.url, as: 'owner', poolSize: 1 }));
}, 60_000);
afterAll(async () => {
  await owner?.close(true);
  await db?.drop();
});

describe(MIGRATION, () => {
  it('fills in the ids of notifications written before it from their text', async () => {
    const { orgId, ownerId } = await seedOrg(db.orm);
    const [workflowId, newest, older, last, connectionId] = [
      newId(),
      newId(),
      newId(),
      newId(),
      newId(),
    ];
    // Back to before the migration (and whatever came after it), as an older runner left it.
    await owner.migrator.down({ to: MIGRATION });
    const digest = describeFailureDigest(
      {
        workflowId,
        workflowName: 'Nightly import',
        failures: 2,
        firstFailedAt: new Date('2026-11-25T08:00:00Z'),
        lastFailedAt: new Date('2026-11-25T08:01:00Z'),
        firstError: { code: 'FAIL', message: 'no' },
        latestExecutionIds: [newest, older],
      },
      PUBLIC_URL,
    );
    const bodies: Record<string, string> = {
      'workflow.failures': digest.body,
      'workflow.disabled': `It failed 10 times in a row (last execution ${last}). Fix it, then enable it again: ${PUBLIC_URL}/v1/workflows/${workflowId}`,
      'quota.exceeded': `The schedule of workflow ${workflowId} due 2026-11-25T08:00:00.000Z did not start: this organization has used its 2 executions for 2026-11 (UTC).`,
      'connection.needs_reauthorization': `The OAuth 2.0 token of connection "crm" can no longer be refreshed. Workflows using it fail until its credentials are replaced (PUT /v1/connections/${connectionId}/secrets with a new refresh token).\n\n${PUBLIC_URL}`,
      welcome: 'Nothing here names a runner object.',
    };
    const conn = owner.em.getConnection();
    for (const [kind, body] of Object.entries(bodies))
      await conn.execute(
        `insert into notifications (id, organization_id, user_id, kind, title, body) values (?, ?, ?, ?, 't', ?)`,
        [newId(), orgId, ownerId, kind, body],
      );

    await owner.migrator.up();
    const rows = await conn.execute<
      {
        kind: string;
        workflow_id: string | null;
        execution_id: string | null;
        connection_id: string | null;
      }[]
    >(
      `select kind, workflow_id, execution_id, connection_id from notifications where organization_id = ? order by kind`,
      [orgId],
    );
    expect(rows).toEqual([
      {
        kind: 'connection.needs_reauthorization',
        workflow_id: null,
        execution_id: null,
        connection_id: connectionId,
      },
      { kind: 'quota.exceeded', workflow_id: workflowId, execution_id: null, connection_id: null },
      { kind: 'welcome', workflow_id: null, execution_id: null, connection_id: null },
      {
        kind: 'workflow.disabled',
        workflow_id: workflowId,
        execution_id: last,
        connection_id: null,
      },
      // The digest's newest failed execution: the first it links to.
      {
        kind: 'workflow.failures',
        workflow_id: workflowId,
        execution_id: newest,
        connection_id: null,
      },
    ]);
  }, 60_000);
});
