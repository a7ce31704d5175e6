import { z } from 'zod';
import { NewConnection } from '../keychain/connection-secret';
import { procedure, router } from './trpc';

export const connectionsRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.connections.list()),
  /** The secret goes to the OS keychain only; refused when there is none. */
  create: procedure
    .input(NewConnection)
    .mutation(({ ctx, input }) => ctx.services.connections.create(input)),
  delete: procedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    await ctx.services.connections.delete(input.id);
    return { id: input.id };
  }),
  status: procedure.query(({ ctx }) => ctx.services.connections.status()),
});
