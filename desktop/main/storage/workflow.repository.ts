import type { Database } from './database';

/** A document about to be stored, with the facts the list shows computed once at save time. */
export interface DocumentToStore {
  document: unknown;
  name: string;
  description?: string;
  valid: boolean;
  triggerType?: string;
  nodeCount: number;
}

export interface WorkflowRecord {
  id: string;
  name: string;
  description?: string;
  document: unknown;
  version: number;
  valid: boolean;
  triggerType?: string;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
}

export interface WorkflowVersionRecord {
  version: number;
  savedAt: string;
  message?: string;
  nodeCount: number;
}

interface WorkflowRow {
  id: string;
  name: string;
  description: string | null;
  document: string;
  version: number;
  valid: number;
  trigger_type: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

function toRecord(row: WorkflowRow): WorkflowRecord {
  return {
    id: row.id,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    document: JSON.parse(row.document) as unknown,
    version: row.version,
    valid: row.valid === 1,
    ...(row.trigger_type ? { triggerType: row.trigger_type } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.deleted_at ? { deletedAt: row.deleted_at } : {}),
  };
}

/** Workflows and their versions. Every write is one transaction: a save is all there or not at all. */
export class WorkflowRepository {
  constructor(private readonly db: Database) {}

  create(id: string, doc: DocumentToStore, message: string | undefined, now: string): number {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO workflows (id, name, description, document, version, valid, trigger_type, created_at, updated_at)
           VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)`,
        )
        .run(
          id,
          doc.name,
          doc.description ?? null,
          JSON.stringify(doc.document),
          doc.valid ? 1 : 0,
          doc.triggerType ?? null,
          now,
          now,
        );
      this.insertVersion(id, 1, doc, message, now);
    })();
    return 1;
  }

  /** Stores `doc` as the next version and makes it current. Returns that version. */
  saveVersion(id: string, doc: DocumentToStore, message: string | undefined, now: string): number {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT version FROM workflows WHERE id = ?').get(id) as
        { version: number } | undefined;
      if (!row) throw new Error(`workflow ${id} not found`);
      const version = row.version + 1;
      this.db
        .prepare(
          `UPDATE workflows SET name = ?, description = ?, document = ?, version = ?, valid = ?, trigger_type = ?, updated_at = ?
           WHERE id = ?`,
        )
        .run(
          doc.name,
          doc.description ?? null,
          JSON.stringify(doc.document),
          version,
          doc.valid ? 1 : 0,
          doc.triggerType ?? null,
          now,
          id,
        );
      this.insertVersion(id, version, doc, message, now);
      return version;
    })();
  }

  private insertVersion(
    id: string,
    version: number,
    doc: DocumentToStore,
    message: string | undefined,
    now: string,
  ): void {
    this.db
      .prepare(
        `INSERT INTO workflow_versions (workflow_id, version, document, message, node_count, saved_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(id, version, JSON.stringify(doc.document), message ?? null, doc.nodeCount, now);
  }

  /** A workflow, deleted ones included only when asked (restore needs them). */
  find(id: string, options: { includeDeleted?: boolean } = {}): WorkflowRecord | undefined {
    const row = this.db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as
      WorkflowRow | undefined;
    if (!row || (row.deleted_at && !options.includeDeleted)) return undefined;
    return toRecord(row);
  }

  /** Live workflows, most recently changed first; `search` matches name or description, any case. */
  list(search?: string): WorkflowRecord[] {
    const term = search?.trim();
    const rows = term
      ? this.db
          .prepare(
            `SELECT * FROM workflows WHERE deleted_at IS NULL
             AND (name LIKE ? ESCAPE '\\' OR IFNULL(description, '') LIKE ? ESCAPE '\\')
             ORDER BY updated_at DESC, name`,
          )
          .all(likePattern(term), likePattern(term))
      : this.db
          .prepare(
            'SELECT * FROM workflows WHERE deleted_at IS NULL ORDER BY updated_at DESC, name',
          )
          .all();
    return (rows as WorkflowRow[]).map(toRecord);
  }

  setDeleted(id: string, deletedAt: string | null): boolean {
    return (
      this.db.prepare('UPDATE workflows SET deleted_at = ? WHERE id = ?').run(deletedAt, id)
        .changes === 1
    );
  }

  versions(id: string): WorkflowVersionRecord[] {
    const rows = this.db
      .prepare(
        'SELECT version, saved_at, message, node_count FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC',
      )
      .all(id) as {
      version: number;
      saved_at: string;
      message: string | null;
      node_count: number;
    }[];
    return rows.map((row) => ({
      version: row.version,
      savedAt: row.saved_at,
      ...(row.message ? { message: row.message } : {}),
      nodeCount: row.node_count,
    }));
  }

  versionDocument(id: string, version: number): unknown {
    const row = this.db
      .prepare('SELECT document FROM workflow_versions WHERE workflow_id = ? AND version = ?')
      .get(id, version) as { document: string } | undefined;
    return row ? (JSON.parse(row.document) as unknown) : undefined;
  }
}

function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
