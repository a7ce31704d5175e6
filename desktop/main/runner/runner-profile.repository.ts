import type { Database } from '../storage/database';

/** A runner the user publishes to: where it is, who signed in, which organization is chosen. Never a token. */
export interface RunnerProfile {
  id: string;
  name: string;
  baseUrl: string;
  email: string | null;
  organizationId: string | null;
  organizationName: string | null;
  active: boolean;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  base_url: string;
  email: string | null;
  organization_id: string | null;
  organization_name: string | null;
  active: number;
  created_at: string;
}

const COLUMNS = 'id, name, base_url, email, organization_id, organization_name, active, created_at';

const fromRow = (row: Row): RunnerProfile => ({
  id: row.id,
  name: row.name,
  baseUrl: row.base_url,
  email: row.email,
  organizationId: row.organization_id,
  organizationName: row.organization_name,
  active: row.active === 1,
  createdAt: row.created_at,
});

export class RunnerProfileRepository {
  constructor(private readonly db: Database) {}

  list(): RunnerProfile[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM runner_profiles ORDER BY name, created_at`)
      .all() as Row[];
    return rows.map(fromRow);
  }

  find(id: string): RunnerProfile | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM runner_profiles WHERE id = ?`).get(id) as
      Row | undefined;
    return row && fromRow(row);
  }

  insert(profile: RunnerProfile): void {
    this.db
      .prepare(
        `INSERT INTO runner_profiles (${COLUMNS}) VALUES (@id, @name, @baseUrl, @email, @organizationId, @organizationName, @active, @createdAt)`,
      )
      .run({ ...profile, active: profile.active ? 1 : 0 });
  }

  update(
    id: string,
    patch: Partial<Pick<RunnerProfile, 'name' | 'email' | 'organizationId' | 'organizationName'>>,
  ): void {
    const current = this.find(id);
    if (!current) return;
    const next = { ...current, ...patch };
    this.db
      .prepare(
        'UPDATE runner_profiles SET name = ?, email = ?, organization_id = ?, organization_name = ? WHERE id = ?',
      )
      .run(next.name, next.email, next.organizationId, next.organizationName, id);
  }

  /** Exactly one profile is active: the one publishing and the dashboards use. */
  setActive(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE runner_profiles SET active = 0 WHERE active = 1').run();
      this.db.prepare('UPDATE runner_profiles SET active = 1 WHERE id = ?').run(id);
    })();
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM runner_profiles WHERE id = ?').run(id).changes === 1;
  }
}
