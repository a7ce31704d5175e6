import { z } from 'zod';
import {
  CancelReply,
  ExecutionDetail,
  ExecutionList,
  ExecutionStats,
  ExecutionStatus,
  LogList,
  WorkflowList,
} from '../../../shared/src/contracts/runner-api';
import { ratesOf, STATS_WINDOW_KEYS, STATS_WINDOWS } from './execution-stats';
import type { ExecutionRates, StatsWindow } from './execution-stats';
import type { PublishedWorkflowRepository } from './published-workflow.repository';
import type { RunnerConnectionService } from './runner-connection-service';

/** Recent executions of the organization, or of one workflow, newest first. */
export const ExecutionQuery = z.strictObject({
  runnerWorkflowId: z.string().min(1).max(100).optional(),
  status: ExecutionStatus.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(200).default(25),
});
export type ExecutionQuery = z.input<typeof ExecutionQuery>;

export const StatsQuery = z.strictObject({ window: z.enum(STATS_WINDOW_KEYS).default('24h') });

export interface WorkflowRow {
  runnerWorkflowId: string;
  name: string;
  version: number | null;
  enabled: boolean;
  webhookUrl: string | null;
  /** The local workflow published as this one, when it was from this machine. */
  localWorkflowId: string | null;
}

export interface ExecutionCounts extends ExecutionStats, ExecutionRates {
  window: StatsWindow;
}

/** Workflows read for the overview's table and filter: a page of 100, up to this many pages. */
const WORKFLOW_PAGES = 5;

const enc = encodeURIComponent;

/**
 * What operators watch, from the runner's organization-wide reads: counts by status over a
 * window (`GET /v1/executions/stats`), recent executions with filters and cursor pages
 * (`GET /v1/executions`), one execution with its steps and logs, cancel.
 */
export class ExecutionsService {
  constructor(
    private readonly deps: {
      connections: RunnerConnectionService;
      published: PublishedWorkflowRepository;
    },
  ) {}

  async list(input: ExecutionQuery) {
    const query = ExecutionQuery.parse(input);
    return this.deps.connections.context().send(
      {
        method: 'GET',
        path: '/v1/executions',
        query: {
          workflowId: query.runnerWorkflowId,
          status: query.status,
          cursor: query.cursor,
          limit: query.limit,
        },
      },
      ExecutionList,
    );
  }

  /** Executions created in the window, counted by status, with the rates of those that ended. */
  async stats(input: z.input<typeof StatsQuery> = {}): Promise<ExecutionCounts> {
    const { window } = StatsQuery.parse(input);
    const since = new Date(Date.now() - STATS_WINDOWS[window].ms).toISOString();
    const stats = await this.deps.connections
      .context()
      .send({ method: 'GET', path: '/v1/executions/stats', query: { since } }, ExecutionStats);
    return { window, ...stats, ...ratesOf(stats.byStatus) };
  }

  /** The organization's workflows (that the user may see), by name, with their local twins. */
  async workflows(): Promise<WorkflowRow[]> {
    const ctx = this.deps.connections.context();
    const local = new Map(
      this.deps.published
        .listForOrganization(ctx.profile.id, ctx.organizationId)
        .map((p) => [p.runnerWorkflowId, p.workflowId]),
    );
    const rows: WorkflowRow[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < WORKFLOW_PAGES; page++) {
      const list = await ctx.send(
        { method: 'GET', path: '/v1/workflows', query: { limit: 100, cursor } },
        WorkflowList,
      );
      for (const w of list.items)
        rows.push({
          runnerWorkflowId: w.id,
          name: w.name,
          version: w.version,
          enabled: w.enabled,
          webhookUrl: w.trigger?.webhook?.url ?? null,
          localWorkflowId: local.get(w.id) ?? null,
        });
      if (!list.nextCursor) break;
      cursor = list.nextCursor;
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(executionId: string) {
    return this.deps.connections
      .context()
      .send({ method: 'GET', path: `/v1/executions/${enc(executionId)}` }, ExecutionDetail);
  }

  async logs(executionId: string, cursor?: string) {
    return this.deps.connections.context().send(
      {
        method: 'GET',
        path: `/v1/executions/${enc(executionId)}/logs`,
        query: { cursor, limit: 500 },
      },
      LogList,
    );
  }

  async cancel(executionId: string) {
    return this.deps.connections
      .context()
      .send({ method: 'POST', path: `/v1/executions/${enc(executionId)}/cancel` }, CancelReply);
  }
}
