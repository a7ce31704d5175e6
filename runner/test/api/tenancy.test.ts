import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Organization, Workflow } from '../../src/db/entities';
import { newId } from '../../src/db/ids';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

let db: TestDatabase;
const orgA = newId();
const orgB = newId();

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [id, name] of [
    [orgA, 'A'],
    [orgB, 'B'],
  ] as const) {
    await withOrgContext(db.orm, id, async (em) => {
      em.create(Organization, { id, name });
      em.create(Workflow, { organizationId: id, name: `wf of ${name}` });
    });
  }
});
afterAll(() => db?.drop());

describe('tenancy walls', () => {
  it('the org filter scopes ORM queries to the context organization', async () => {
    const names = await withOrgContext(db.orm, orgA, async (em) =>
      (await em.find(Workflow, {})).map((w) => w.name),
    );
    expect(names).toEqual(['wf of A']);
  });

  it('RLS hides every row from a raw query without the org setting', async () => {
    const rows = await db.orm.em.fork().execute('select count(*)::int as n from workflows');
    expect(rows[0].n).toBe(0);
    const orgs = await db.orm.em.fork().execute('select count(*)::int as n from organizations');
    expect(orgs[0].n).toBe(0);
  });

  it('RLS limits a raw query with the org setting to that organization, even without a where clause', async () => {
    const rows = await withOrgContext(db.orm, orgB, (em) =>
      em.execute('select name from workflows'),
    );
    expect(rows.map((r) => r.name)).toEqual(['wf of B']);
  });

  it('RLS refuses to write a row for another organization', async () => {
    await expect(
      withOrgContext(db.orm, orgA, async (em) => {
        em.create(Workflow, { organizationId: orgB, name: 'sneaky' });
      }),
    ).rejects.toThrow(/row-level security/);
  });

  it('the application role is not a superuser and cannot bypass RLS', async () => {
    const [who] = await db.orm.em
      .fork()
      .execute(
        `select current_user as "user", r.rolsuper as super, r.rolbypassrls as bypass from pg_roles r where r.rolname = current_user`,
      );
    expect(who).toEqual({ user: 'maestro_app', super: false, bypass: false });
  });

  it('a query on an org-owned entity outside any context is refused by the ORM', async () => {
    await expect(db.orm.em.fork().find(Workflow, {})).rejects.toThrow(
      /No arguments provided for filter 'org'/,
    );
  });

  it('every table with an organization_id column has RLS enabled and forced, with a policy', async () => {
    const tables = await db.orm.em.fork().execute(
      `select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              (select count(*)::int from pg_policies p where p.tablename = c.relname) as policies
         from information_schema.columns col
         join pg_class c on c.relname = col.table_name and c.relkind = 'r'
        where col.column_name = 'organization_id' and col.table_schema = 'public'
        order by 1`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(15);
    for (const t of tables)
      expect(t, t.table).toMatchObject({ enabled: true, forced: true, policies: 1 });
  });

  it('audit events are append-only for the application role', async () => {
    await withOrgContext(db.orm, orgA, (em) =>
      em.execute(
        `insert into audit_events (id, organization_id, action, target_type) values (?, ?, 'x', 'y')`,
        [newId(), orgA],
      ),
    );
    await expect(
      withOrgContext(db.orm, orgA, (em) => em.execute(`delete from audit_events`)),
    ).rejects.toThrow(/permission denied/);
  });

  it('the system context sees every organization', async () => {
    const n = await withSystemContext(db.orm, (em) => em.count(Workflow, {}));
    expect(n).toBe(2);
  });
});
