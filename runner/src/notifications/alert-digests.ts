import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { newId } from '../db/ids';
import { withOrgContext, withSystemContext } from '../db/org-context';
import { alertRecipients } from './alert-recipients';
import { insertNotifications } from './notification-rows';

/** How often digests go out and which events they count (decisions 0016 and 0018). */
export interface AlertTiming {
  /** At most one digest per workflow and kind per window; events in between wait for the next one. */
  windowMs: number;
  /**
   * Events less than this long ago are left for the next pass: their rows are stored a few
   * milliseconds after the time they carry (the worker's clock), and the cursor must not pass
   * an event that is still being committed.
   */
  settleMs: number;
  /** How far back a workflow without a cursor, or a long scheduler outage, is looked at. */
  lookbackMs: number;
}

/** Every event is told within window + tick (4.5 min): the 5-minute rule of PRODUCT.md. */
export const ALERT_TIMING: AlertTiming = {
  windowMs: 240_000,
  settleMs: 10_000,
  lookbackMs: 3_600_000,
};

/** One pass: events in (cursor, `to`] are told; a cursor last moved before `dueBefore` is due. */
export interface DigestBounds {
  now: Date;
  from: Date;
  to: Date;
  dueBefore: Date;
}

export interface DueWorkflow {
  organization_id: string;
  workflow_id: string;
}

export interface AlertWorkflow {
  id: string;
  name: string;
}

/** A cursor table: `(workflow_id primary key, organization_id, alerted_through, last_alert_at)`. */
export type CursorTable = 'failure_alert_cursors' | 'sla_alert_cursors';
/** An alert table: the kind's columns plus the email outbox columns (see alert-emails.ts). */
export type AlertTable = 'failure_alerts' | 'sla_alerts';

/**
 * What one kind of alert adds to the shared machinery (cursor, recipients, notifications,
 * email outbox): which workflows have news, what the news is, how it is stored and told.
 */
export interface DigestKind<D> {
  /** The in-app notification kind. */
  kind: string;
  cursorTable: CursorTable;
  alertTable: AlertTable;
  /** Workflows with news whose window has passed; run in the system context, reads ids only. */
  findDue(em: EntityManager, bounds: DigestBounds, batch: number): Promise<DueWorkflow[]>;
  /** The news of one workflow in (since, bounds.to], or undefined when there is none. */
  collect(
    em: EntityManager,
    workflowId: string,
    since: Date,
    bounds: DigestBounds,
  ): Promise<D | undefined>;
  /** The kind's columns of the alert row (objects and arrays are stored as jsonb). */
  alertColumns(digest: D): Record<string, unknown>;
  /** The alert row's digest again, for its emails (the text is rebuilt, never stored). */
  readStored(
    em: EntityManager,
    alertId: string,
  ): Promise<{ workflow: AlertWorkflow; digest: D } | undefined>;
  /** The execution the in-app notification opens (the newest the digest names), if any. */
  executionOf(digest: D): string | null;
  /** The title and text, the same in-app and by email. */
  describe(workflow: AlertWorkflow, digest: D, publicUrl: string): { title: string; body: string };
}

export interface RecordAlertsOptions {
  orm: MikroORM;
  publicUrl: string;
  timing?: AlertTiming;
  /** Workflows handled per pass; the rest wait for the next tick. */
  batch?: number;
}

interface Cursor {
  alerted_through: string;
  last_alert_at: string | null;
}

/**
 * Writes one digest per workflow whose news is due: an alert row, an in-app notification per
 * recipient, and the moved cursor, in one transaction of the workflow's organization. The
 * cursor row is locked (SKIP LOCKED) first and read again under the lock, so several
 * schedulers never write the same digest; a crash before the commit leaves the cursor where
 * it was, and the next pass writes it. Returns the ids of the alerts written.
 */
export async function recordDigests<D>(
  kind: DigestKind<D>,
  options: RecordAlertsOptions,
  now = new Date(),
): Promise<string[]> {
  const timing = options.timing ?? ALERT_TIMING;
  const bounds: DigestBounds = {
    now,
    from: new Date(now.getTime() - timing.lookbackMs),
    to: new Date(now.getTime() - timing.settleMs),
    dueBefore: new Date(now.getTime() - timing.windowMs),
  };
  // Platform work across organizations (like the poller): only ids are read here.
  const due = await withSystemContext(options.orm, (em) =>
    kind.findDue(em, bounds, options.batch ?? 100),
  );
  const written: string[] = [];
  for (const { organization_id: orgId, workflow_id: workflowId } of due) {
    const id = await withOrgContext(options.orm, orgId, (em) =>
      recordOne(kind, em, options.publicUrl, { orgId, workflowId, bounds }),
    );
    if (id) written.push(id);
  }
  return written;
}

async function recordOne<D>(
  kind: DigestKind<D>,
  em: EntityManager,
  publicUrl: string,
  at: { orgId: string; workflowId: string; bounds: DigestBounds },
): Promise<string | undefined> {
  const { bounds } = at;
  await em.execute(
    `insert into ${kind.cursorTable} (workflow_id, organization_id, alerted_through) values (?, ?, ?)
     on conflict (workflow_id) do nothing`,
    [at.workflowId, at.orgId, bounds.from],
  );
  const [cursor] = await em.execute<Cursor[]>(
    `select alerted_through, last_alert_at from ${kind.cursorTable}
      where workflow_id = ? and organization_id = ? for update skip locked`,
    [at.workflowId, at.orgId],
  );
  // Another scheduler holds it, or sent a digest within the window since we looked.
  if (!cursor) return undefined;
  if (cursor.last_alert_at && new Date(cursor.last_alert_at) > bounds.dueBefore) return undefined;
  const since = new Date(
    Math.max(new Date(cursor.alerted_through).getTime(), bounds.from.getTime()),
  );
  const digest = await kind.collect(em, at.workflowId, since, bounds);
  if (!digest) return undefined;
  const [workflow] = await em.execute<{ name: string; restricted: boolean }[]>(
    'select name, restricted from workflows where id = ? and organization_id = ?',
    [at.workflowId, at.orgId],
  );
  if (!workflow) return undefined;
  const recipients = await alertRecipients(em, at.orgId, {
    id: at.workflowId,
    restricted: workflow.restricted,
  });
  const { title, body } = kind.describe(
    { id: at.workflowId, name: workflow.name },
    digest,
    publicUrl,
  );
  const alertId = newId();
  const recipientIds = JSON.stringify(recipients.map((r) => r.userId));
  await insertAlert(em, kind.alertTable, {
    id: alertId,
    organization_id: at.orgId,
    workflow_id: at.workflowId,
    ...kind.alertColumns(digest),
    recipient_ids: recipientIds,
    email_pending: recipientIds,
    // Nobody to email (everyone muted): nothing is left to send.
    emailed_at: recipients.length === 0 ? bounds.now : null,
    created_at: bounds.now,
  });
  await insertNotifications(em, {
    organizationId: at.orgId,
    userIds: recipients.map((r) => r.userId),
    kind: kind.kind,
    title,
    body,
    about: { workflowId: at.workflowId, executionId: kind.executionOf(digest) },
    createdAt: bounds.now,
  });
  await em.execute(
    `update ${kind.cursorTable} set alerted_through = ?, last_alert_at = ? where workflow_id = ?`,
    [bounds.to, bounds.now, at.workflowId],
  );
  return alertId;
}

const JSON_COLUMNS = new Set(['recipient_ids', 'email_pending']);

/** One insert of the named columns; objects and arrays (and the recipient lists) go in as jsonb. */
async function insertAlert(em: EntityManager, table: AlertTable, row: Record<string, unknown>) {
  const columns = Object.keys(row);
  const isJson = (column: string, value: unknown) =>
    JSON_COLUMNS.has(column) ||
    (value !== null && typeof value === 'object' && !(value instanceof Date));
  const values = columns.map((c) => (isJson(c, row[c]) ? '?::jsonb' : '?'));
  const params = columns.map((c) => {
    const value = row[c];
    return isJson(c, value) && typeof value !== 'string' ? JSON.stringify(value) : value;
  });
  await em.execute(
    `insert into ${table} (${columns.join(', ')}) values (${values.join(', ')})`,
    params,
  );
}
