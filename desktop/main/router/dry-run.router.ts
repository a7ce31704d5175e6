import { z } from 'zod';
import { procedure, router } from './trpc';

const runId = z.string().min(1);

export const dryRunRouter = router({
  start: procedure
    .input(
      z.object({
        workflowId: z.string().min(1),
        document: z.record(z.string(), z.unknown()),
        input: z.unknown(),
        env: z.record(z.string(), z.string()).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.dryRuns.start(input)),
  /** The run's EngineEvents; replays those already emitted, ends after `run.finished`. */
  events: procedure
    .input(z.object({ runId }))
    .subscription(({ ctx, input, signal }) => ctx.services.dryRuns.events(input.runId, signal)),
  cancel: procedure
    .input(z.object({ runId }))
    .mutation(({ ctx, input }) => ctx.services.dryRuns.cancel(input.runId)),
  history: procedure
    .input(z.object({ workflowId: z.string().min(1) }))
    .query(({ ctx, input }) => ctx.services.dryRuns.history(input.workflowId)),
  get: procedure
    .input(z.object({ runId }))
    .query(({ ctx, input }) => ctx.services.dryRuns.get(input.runId)),
});
