import { z } from 'zod';
import { WorkflowSlaInfo } from '../../../shared/src/contracts/runner-api';
import { myPermissions } from './organization-permissions';
import type { RunnerConnectionService } from './runner-connection-service';
import { RunnerError } from './runner-error';

export const SlaTarget = z.strictObject({ runnerWorkflowId: z.string().min(1).max(100) });

// Types and sanity bounds only: the limits' ranges are the runner's policy (SlaBody in the
// contract), and its problem+json names the field at fault (decision 0011).
const Seconds = z.number().min(-1_000_000_000).max(1_000_000_000);
export const SlaChange = SlaTarget.extend({
  maxDurationSeconds: Seconds,
  maxStartDelaySeconds: Seconds.nullable(),
});
export type SlaChange = z.infer<typeof SlaChange>;

/** One workflow's SLA as the Executions page shows it. */
export interface WorkflowSlaView {
  /** Null: the workflow has no SLA. */
  sla: WorkflowSlaInfo | null;
  /**
   * Whether the user's role may change it (workflows:write). A restricted workflow also needs
   * an edit grant, which only the runner knows: it refuses the change then.
   */
  canEdit: boolean;
}

const enc = encodeURIComponent;

/** A workflow's SLA on the active runner (`GET/PUT/DELETE /v1/workflows/{id}/sla`, decision 0018). */
export class WorkflowSlaService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async get(runnerWorkflowId: string): Promise<WorkflowSlaView> {
    const [sla, permissions] = await Promise.all([
      this.read(runnerWorkflowId),
      myPermissions(this.connections),
    ]);
    return { sla, canEdit: permissions?.has('workflows:write') ?? true };
  }

  async set({ runnerWorkflowId, ...body }: SlaChange): Promise<WorkflowSlaInfo> {
    return this.connections
      .context()
      .send({ method: 'PUT', path: this.path(runnerWorkflowId), body }, WorkflowSlaInfo);
  }

  async clear(runnerWorkflowId: string): Promise<void> {
    await this.connections
      .context()
      .send({ method: 'DELETE', path: this.path(runnerWorkflowId) }, z.null());
  }

  /** The SLA, or null when none is set (the runner's 404 on a workflow the user can see). */
  private async read(runnerWorkflowId: string): Promise<WorkflowSlaInfo | null> {
    const ctx = this.connections.context();
    try {
      return await ctx.send({ method: 'GET', path: this.path(runnerWorkflowId) }, WorkflowSlaInfo);
    } catch (error) {
      if (!(error instanceof RunnerError && error.kind === 'not-found')) throw error;
    }
    // A 404 is also what a workflow the user cannot see answers: tell the two apart.
    await ctx.send({ method: 'GET', path: `/v1/workflows/${enc(runnerWorkflowId)}` }, z.unknown());
    return null;
  }

  private path(runnerWorkflowId: string) {
    return `/v1/workflows/${enc(runnerWorkflowId)}/sla`;
  }
}
