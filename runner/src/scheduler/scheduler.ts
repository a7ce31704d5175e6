import type { MikroORM } from '@mikro-orm/postgresql';
import { runConnectionJob } from '../connections/refresh-job';
import { dispatchDueEvents, pruneEventDeliveries, type DispatchTiming } from '../events/dispatcher';
import { sendFailureAlertEmails } from '../notifications/failure-alert-emails';
import { recordFailureAlerts, type FailureAlertTiming } from '../notifications/failure-alerts';
import type { Mailer } from '../notifications/mailer';
import { recordSlaAlerts, sendSlaAlertEmails } from '../notifications/sla-alerts';
import type { Log } from '../worker/logger';
import { runDuePolls, type PollDeps } from './poller';
import { pruneOldData } from './pruning';
import { fireDueSchedules } from './schedule-firer';

export interface SchedulerOptions extends PollDeps {
  orm: MikroORM;
  log: Log;
  /** How often due schedules are looked for (a due time fires within this delay). */
  scheduleTickMs?: number;
  pollTickMs?: number;
  pruneEveryMs?: number;
  retentionDays: number;
  /**
   * Failure alerts (decision 0016) and SLA alerts (0018): digests recorded, then emailed,
   * every `tickMs` (30 s).
   */
  alerts?: {
    mailer: Mailer;
    publicUrl: string;
    tickMs?: number;
    timing?: FailureAlertTiming;
  };
  /** OAuth 2.0 refreshes and re-authorization notices (decision 0017), every `tickMs` (60 s). */
  connections?: { mailer?: Mailer; publicUrl?: string; tickMs?: number };
  /** Event webhook deliveries (decision 0019), every `tickMs` (1 s). */
  events?: { tickMs?: number; timing?: Partial<DispatchTiming> };
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The scheduler role: schedules every second, polls every few seconds, failure and SLA alerts
 * every 30 s, OAuth 2.0 connection refreshes every minute, event webhooks every second,
 * pruning once a day.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let running = false;

  const every = (ms: number, job: () => Promise<unknown>, name: string, runAtStart = false) => {
    let busy = false;
    const tick = () => {
      if (!running || busy) return;
      busy = true;
      const work = job()
        .catch((error: unknown) =>
          options.log.error({ err: error, job: name }, 'scheduler job failed'),
        )
        .finally(() => {
          busy = false;
          inFlight.delete(work);
        });
      inFlight.add(work);
    };
    timers.push(setInterval(tick, ms));
    if (runAtStart) tick();
  };

  return {
    start() {
      running = true;
      every(
        options.scheduleTickMs ?? 1_000,
        () => fireDueSchedules(options.orm, options.log),
        'schedules',
        true,
      );
      every(options.pollTickMs ?? 5_000, () => runDuePolls(options), 'polls', true);
      const alerts = options.alerts;
      if (alerts) {
        every(
          alerts.tickMs ?? 30_000,
          async () => {
            const { orm, log } = options;
            await recordFailureAlerts({ orm, publicUrl: alerts.publicUrl, timing: alerts.timing });
            await sendFailureAlertEmails({ orm, log, ...alerts });
          },
          'failure-alerts',
          true,
        );
        every(
          alerts.tickMs ?? 30_000,
          async () => {
            const { orm, log } = options;
            await recordSlaAlerts({ orm, publicUrl: alerts.publicUrl, timing: alerts.timing });
            await sendSlaAlertEmails({ orm, log, ...alerts });
          },
          'sla-alerts',
          true,
        );
      }
      every(
        options.connections?.tickMs ?? 60_000,
        () =>
          runConnectionJob({
            orm: options.orm,
            box: options.secretBox,
            http: options.http,
            log: options.log,
            ...options.connections,
          }),
        'oauth2-connections',
        true,
      );
      every(
        options.events?.tickMs ?? 1_000,
        async () => {
          const { orm, secretBox: box, http, log } = options;
          const deps = { orm, box, http, log, timing: options.events?.timing };
          // Up to 10 full batches a tick: a backlog drains without starving the other jobs.
          for (let i = 0; i < 10; i++) {
            if ((await dispatchDueEvents(deps)).taken < 20) break;
          }
        },
        'event-webhooks',
        true,
      );
      every(
        options.pruneEveryMs ?? 86_400_000,
        async () => {
          const pruned = await pruneOldData(options.orm, options.retentionDays);
          const eventDeliveries = await pruneEventDeliveries(options.orm, options.retentionDays);
          options.log.info({ ...pruned, eventDeliveries }, 'pruned old data');
        },
        'prune',
        true,
      );
    },
    async stop() {
      running = false;
      timers.splice(0).forEach(clearInterval);
      await Promise.allSettled([...inFlight]);
    },
  };
}
