import { z } from 'zod';
import { procedure, router } from './trpc';

const workflowId = z.string().min(1);
const nodeId = z.string().min(1);

export const samplesRouter = router({
  get: procedure
    .input(z.object({ workflowId }))
    .query(({ ctx, input }) => ctx.services.samples.all(input.workflowId)),
  pin: procedure
    .input(z.object({ workflowId, nodeId, data: z.unknown() }))
    .mutation(({ ctx, input }) => {
      ctx.services.samples.pin(
        input.workflowId,
        input.nodeId,
        input.data,
        new Date().toISOString(),
      );
      return { pinned: true };
    }),
  unpin: procedure.input(z.object({ workflowId, nodeId })).mutation(({ ctx, input }) => ({
    unpinned: ctx.services.samples.unpin(input.workflowId, input.nodeId),
  })),
});
