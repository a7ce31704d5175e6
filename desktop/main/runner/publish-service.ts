import { scrubForExport } from '../workflows/export-scrub';
import type { WorkflowService } from '../workflows/workflow-service';
import type { PublishedWorkflowRepository } from './published-workflow.repository';
import type { PublishedWorkflow } from './published-workflow.repository';
import type { RunnerConnectionService } from './runner-connection-service';
import { RunnerError } from './runner-error';
import { Published } from '../../../shared/src/contracts/runner-api';

export interface PublishResult extends PublishedWorkflow {
  /** True when this publish created the workflow on the runner (POST), false for a new version (PUT). */
  created: boolean;
  profileName: string;
  organizationName: string | null;
}

/**
 * Publishing a local workflow to the active runner and organization: the
 * first time `POST /v1/workflows`, then `PUT /v1/workflows/{id}`, with the
 * mapping kept per profile and organization in SQLite.
 */
export class PublishService {
  constructor(
    private readonly deps: {
      connections: RunnerConnectionService;
      workflows: WorkflowService;
      published: PublishedWorkflowRepository;
    },
  ) {}

  /** Where this workflow is published on the active runner and organization, if it is. */
  status(workflowId: string): PublishedWorkflow | null {
    const active = this.activeTarget();
    if (!active) return null;
    return this.deps.published.find(active.profileId, active.organizationId, workflowId) ?? null;
  }

  /** Publishes the saved document (unsaved edits are the renderer's to save first). */
  async publish(workflowId: string): Promise<PublishResult> {
    const ctx = this.deps.connections.context();
    // Leaving the machine: a literal credential typed into a header goes no further than an export would.
    const definition = scrubForExport(this.deps.workflows.get(workflowId).document);
    const known = this.deps.published.find(ctx.profile.id, ctx.organizationId, workflowId);
    let reply;
    let created = !known;
    try {
      reply = known
        ? await ctx.send(
            {
              method: 'PUT',
              path: `/v1/workflows/${encodeURIComponent(known.runnerWorkflowId)}`,
              body: { definition },
            },
            Published,
          )
        : await ctx.send(
            { method: 'POST', path: '/v1/workflows', body: { definition } },
            Published,
          );
    } catch (error) {
      // Deleted on the runner since: publish it anew rather than strand the user.
      if (!(known && error instanceof RunnerError && error.kind === 'not-found')) throw error;
      reply = await ctx.send(
        { method: 'POST', path: '/v1/workflows', body: { definition } },
        Published,
      );
      created = true;
    }
    const record: PublishedWorkflow = {
      profileId: ctx.profile.id,
      organizationId: ctx.organizationId,
      workflowId,
      runnerWorkflowId: reply.id,
      version: reply.version,
      webhookUrl: reply.webhook?.url ?? null,
      webhookMethod: reply.webhook?.method ?? null,
      publishedAt: new Date().toISOString(),
    };
    this.deps.published.save(record);
    return {
      ...record,
      created,
      profileName: ctx.profile.name,
      organizationName: ctx.profile.organizationName,
    };
  }

  private activeTarget(): { profileId: string; organizationId: string } | null {
    try {
      const ctx = this.deps.connections.context();
      return { profileId: ctx.profile.id, organizationId: ctx.organizationId };
    } catch {
      return null;
    }
  }
}
