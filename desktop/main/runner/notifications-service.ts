import { z } from 'zod';
import {
  AlertSettings,
  NOTIFICATION_PAGE,
  NotificationList,
} from '../../../shared/src/contracts/runner-api';
import type { NotificationInfo } from '../../../shared/src/contracts/runner-api';
import type { RunnerConnectionService } from './runner-connection-service';

export const NotificationRef = z.strictObject({ notificationId: z.string().min(1).max(100) });
export const NotificationQuery = z.strictObject({ unreadOnly: z.boolean().default(false) });

/** A notification with the runner objects its text links to, for the panel's buttons. */
export interface NotificationView extends NotificationInfo {
  workflowId: string | null;
  executionId: string | null;
}

export interface UnreadCount {
  count: number;
  /** The runner lists at most NOTIFICATION_PAGE: there may be more. */
  capped: boolean;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const WORKFLOW_LINK = new RegExp(`/v1/workflows/(${UUID})`, 'i');
const EXECUTION_LINK = new RegExp(`/v1/executions/(${UUID})`, 'i');

/**
 * The runner's notifications carry no ids beside their text, but the ones about a workflow
 * link to it (`…/v1/workflows/{id}`) and a failure digest to its newest failed executions first
 * (`…/v1/executions/{id}`, failure-alert-message.ts): the first of each is what the panel opens.
 */
export function linkedObjects(body: string): Pick<NotificationView, 'workflowId' | 'executionId'> {
  return {
    workflowId: WORKFLOW_LINK.exec(body)?.[1] ?? null,
    executionId: EXECUTION_LINK.exec(body)?.[1] ?? null,
  };
}

const enc = encodeURIComponent;

/**
 * The active runner's in-app notifications for the signed-in user in the chosen organization
 * (`GET /v1/notifications`, `POST /v1/notifications/{id}/read`) and the user's failure-alert
 * muting there (`GET/PUT /v1/alert-settings`, decision 0016).
 */
export class NotificationsService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async list(input: z.input<typeof NotificationQuery> = {}): Promise<NotificationView[]> {
    const { unreadOnly } = NotificationQuery.parse(input);
    const { items } = await this.fetch(unreadOnly);
    return items.map((n) => ({ ...n, ...linkedObjects(n.body) }));
  }

  async unreadCount(): Promise<UnreadCount> {
    const { items } = await this.fetch(true);
    return { count: items.length, capped: items.length >= NOTIFICATION_PAGE };
  }

  async markRead(notificationId: string): Promise<void> {
    await this.connections
      .context()
      .send({ method: 'POST', path: `/v1/notifications/${enc(notificationId)}/read` }, z.null());
  }

  /**
   * Every unread notification the runner lists (one page; the runner has no bulk route), one
   * request after another so that a session renewal happens once. Returns how many were marked.
   */
  async markAllRead(): Promise<number> {
    const { items } = await this.fetch(true);
    for (const n of items) await this.markRead(n.id);
    return items.length;
  }

  async alertSettings(): Promise<AlertSettings> {
    return this.connections
      .context()
      .send({ method: 'GET', path: '/v1/alert-settings' }, AlertSettings);
  }

  async saveAlertSettings(settings: AlertSettings): Promise<AlertSettings> {
    return this.connections
      .context()
      .send({ method: 'PUT', path: '/v1/alert-settings', body: settings }, AlertSettings);
  }

  private fetch(unreadOnly: boolean) {
    return this.connections.context().send(
      {
        method: 'GET',
        path: '/v1/notifications',
        query: { unread: unreadOnly ? 'true' : undefined },
      },
      NotificationList,
    );
  }
}
