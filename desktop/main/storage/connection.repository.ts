import type { Database } from './database';

export const CONNECTION_KINDS = ['bearer', 'apiKey', 'basic', 'oauth2'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** A connection as SQLite knows it: never the secret, which is in the OS keychain. */
export interface ConnectionRef {
  id: string;
  name: string;
  kind: ConnectionKind;
  createdAt: string;
}

export class ConnectionRepository {
  constructor(private readonly db: Database) {}

  list(): ConnectionRef[] {
    const rows = this.db
      .prepare('SELECT id, name, kind, created_at FROM connections ORDER BY name, created_at')
      .all() as { id: string; name: string; kind: ConnectionKind; created_at: string }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      kind: row.kind,
      createdAt: row.created_at,
    }));
  }

  find(id: string): ConnectionRef | undefined {
    const row = this.db
      .prepare('SELECT id, name, kind, created_at FROM connections WHERE id = ?')
      .get(id) as
      { id: string; name: string; kind: ConnectionKind; created_at: string } | undefined;
    return row && { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at };
  }

  insert(ref: ConnectionRef): void {
    this.db
      .prepare('INSERT INTO connections (id, name, kind, created_at) VALUES (?, ?, ?, ?)')
      .run(ref.id, ref.name, ref.kind, ref.createdAt);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM connections WHERE id = ?').run(id).changes === 1;
  }
}
