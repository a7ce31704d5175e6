import type { Database } from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many
 * ran. Append only: a released migration is never edited.
 */
export const migrations: ReadonlyArray<(db: Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT,
        document TEXT NOT NULL,
        version INTEGER NOT NULL,
        valid INTEGER NOT NULL,
        trigger_type TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT
      );
      CREATE TABLE workflow_versions (
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        message TEXT,
        node_count INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, version)
      );
      CREATE TABLE dry_runs (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        result TEXT,
        step_inputs TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms INTEGER
      );
      CREATE INDEX dry_runs_by_workflow ON dry_runs (workflow_id, started_at DESC);
      CREATE TABLE pinned_samples (
        workflow_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        data TEXT NOT NULL,
        pinned_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, node_id)
      );
      -- A reference only: the secret itself lives in the OS keychain, keyed by id.
      CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `);
  },
  // Runner profiles and what was published where. No token: the refresh token
  // is in the OS keychain (account `runner:<profile id>`), the access token in memory.
  (db) => {
    db.exec(`
      CREATE TABLE runner_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL,
        email TEXT,
        organization_id TEXT,
        organization_name TEXT,
        active INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE TABLE published_workflows (
        profile_id TEXT NOT NULL REFERENCES runner_profiles(id) ON DELETE CASCADE,
        organization_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        runner_workflow_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        webhook_url TEXT,
        webhook_method TEXT,
        published_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, organization_id, workflow_id)
      );
    `);
  },
];
