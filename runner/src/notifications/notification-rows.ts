import type { EntityManager } from '@mikro-orm/postgresql';

/** The runner objects a notification is about; clients link to them (GET /v1/notifications). */
export interface NotificationSubject {
  workflowId?: string | null;
  executionId?: string | null;
  connectionId?: string | null;
}

export interface NewNotifications {
  organizationId: string;
  /** One notification each. */
  userIds: string[];
  kind: string;
  title: string;
  body: string;
  about: NotificationSubject;
  /** Default: the transaction's now(). */
  createdAt?: Date;
}

/**
 * The one way notifications are written: one row per recipient, with the ids of what it is
 * about beside the text, in the caller's transaction (and organization context).
 */
export async function insertNotifications(em: EntityManager, n: NewNotifications): Promise<void> {
  if (n.userIds.length === 0) return;
  await em.execute(
    `insert into notifications
       (id, organization_id, user_id, kind, title, body, workflow_id, execution_id, connection_id, created_at)
     select gen_random_uuid(), ?, r.user_id::uuid, ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now())
       from jsonb_array_elements_text(?::jsonb) as r(user_id)`,
    [
      n.organizationId,
      n.kind,
      n.title,
      n.body,
      n.about.workflowId ?? null,
      n.about.executionId ?? null,
      n.about.connectionId ?? null,
      n.createdAt ?? null,
      JSON.stringify(n.userIds),
    ],
  );
}
