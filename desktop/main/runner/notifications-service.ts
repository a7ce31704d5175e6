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

export interface UnreadCount {
  count: number;
  /** The runner lists at most NOTIFICATION_PAGE: there may be more. */
  capped: boolean;
}

const enc = encodeURIComponent;

/**
 * The active runner's in-app notifications for the signed-in user in the chosen organization
 * (`GET /v1/notifications`, `POST /v1/notifications/{id}/read`) and the user's alert muting
 * there (`GET/PUT /v1/alert-settings`, decisions 0016 and 0018). A notification names what it
 * is about (workflow, execution, connection ids) beside its text; the runner's migration filled
 * them in for rows written before it had them, so nothing is read out of the text here.
 */
export class NotificationsService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async list(input: z.input<typeof NotificationQuery> = {}): Promise<NotificationInfo[]> {
    const { unreadOnly } = NotificationQuery.parse(input);
    return (await this.fetch(unreadOnly)).items;
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
