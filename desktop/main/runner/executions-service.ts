import { z } from 'zod';
import type { PublishedWorkflowRepository } from './published-workflow.repository';
import type { RunnerConnectionService } from './runner-connection-service';
import type { ExecutionSummary } from './runner-schemas';
import {
  CancelReply,
  ExecutionDetail,
  ExecutionList,
  ExecutionStatus,
  LogList,
  WorkflowList,
} from './runner-schemas';

export const ExecutionQuery = z.strictObject({
  runnerWorkflowId: z.string().min(1),
  status: ExecutionStatus.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(200).default(25),
});
export type ExecutionQuery = z.input<typeof ExecutionQuery>;

/** How many recent runs of each workflow the organization overview reads. */
export const OVERVIEW_WINDOW = 20;
const OVERVIEW_WORKFLOWS = 50;
/** Requests in flight at once for the overview: gentle on the runner's per-user rate limit. */
const OVERVIEW_CONCURRENCY = 6;

export interface WorkflowOverview {
  runnerWorkflowId: string;
  name: string;
  version: number | null;
  enabled: boolean;
  webhookUrl: string | null;
  /** The local workflow published as this one, when it was from this machine. */
  localWorkflowId: string | null;
  /** Counts over the last OVERVIEW_WINDOW runs. */
  counts: { success: number; failed: number; running: number; other: number };
  last: ExecutionSummary | null;
}

const enc = encodeURIComponent;

/**
 * What operators watch: executions per workflow (filtered, paginated), one
 * execution with its steps and logs, cancel. The runner has no
 * organization-wide execution list, so the organization overview reads the
 * last runs of each workflow (at most 50 workflows, 20 runs each).
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
        path: `/v1/workflows/${enc(query.runnerWorkflowId)}/executions`,
        query: { status: query.status, cursor: query.cursor, limit: query.limit },
      },
      ExecutionList,
    );
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

  /** Every workflow of the organization with the outcome of its recent runs, newest activity first. */
  async overview(): Promise<WorkflowOverview[]> {
    const ctx = this.deps.connections.context();
    const workflows = await ctx.send(
      { method: 'GET', path: '/v1/workflows', query: { limit: OVERVIEW_WORKFLOWS } },
      WorkflowList,
    );
    const local = new Map(
      this.deps.published
        .listForOrganization(ctx.profile.id, ctx.organizationId)
        .map((p) => [p.runnerWorkflowId, p.workflowId]),
    );
    const rows = await mapLimited(
      workflows.items,
      OVERVIEW_CONCURRENCY,
      async (workflow): Promise<WorkflowOverview> => {
        const runs = await ctx.send(
          {
            method: 'GET',
            path: `/v1/workflows/${enc(workflow.id)}/executions`,
            query: { limit: OVERVIEW_WINDOW },
          },
          ExecutionList,
        );
        const counts = { success: 0, failed: 0, running: 0, other: 0 };
        for (const run of runs.items) {
          if (run.status === 'success') counts.success += 1;
          else if (run.status === 'failed') counts.failed += 1;
          else if (run.status === 'running' || run.status === 'pending') counts.running += 1;
          else counts.other += 1;
        }
        return {
          runnerWorkflowId: workflow.id,
          name: workflow.name,
          version: workflow.version,
          enabled: workflow.enabled,
          webhookUrl: workflow.trigger?.webhook?.url ?? null,
          localWorkflowId: local.get(workflow.id) ?? null,
          counts,
          last: runs.items[0] ?? null,
        };
      },
    );
    const activity = (row: WorkflowOverview) => row.last?.createdAt ?? '';
    return rows.sort((a, b) => activity(b).localeCompare(activity(a)));
  }
}

/** `Promise.all(items.map(work))` with at most `limit` calls in flight; results in input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
