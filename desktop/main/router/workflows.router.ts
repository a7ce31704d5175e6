import { z } from 'zod';
import { procedure, router } from './trpc';

const id = z.string().min(1);
/** A workflow document as JSON; the shared validator judges it, drafts may be invalid. */
const document = z.record(z.string(), z.unknown());

export const workflowsRouter = router({
  list: procedure
    .input(z.object({ search: z.string().optional() }).optional())
    .query(({ ctx, input }) => ctx.services.workflows.list(input?.search)),
  get: procedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => ctx.services.workflows.get(input.id)),
  create: procedure
    .input(
      z.object({ document: document.optional(), fromTemplate: z.string().optional() }).optional(),
    )
    .mutation(({ ctx, input }) => ctx.services.workflows.create(input ?? {})),
  save: procedure
    .input(z.object({ id, document, message: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.services.workflows.save(input.id, input.document, input.message),
    ),
  rename: procedure
    .input(z.object({ id, name: z.string().trim().min(1, 'name is required').max(200) }))
    .mutation(({ ctx, input }) => ctx.services.workflows.rename(input.id, input.name)),
  duplicate: procedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => ctx.services.workflows.duplicate(input.id)),
  delete: procedure.input(z.object({ id })).mutation(({ ctx, input }) => {
    ctx.services.workflows.delete(input.id);
    return { id: input.id };
  }),
  restore: procedure.input(z.object({ id })).mutation(({ ctx, input }) => {
    ctx.services.workflows.restore(input.id);
    return { id: input.id };
  }),
  versions: procedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => ctx.services.workflows.versions(input.id)),
  restoreVersion: procedure
    .input(z.object({ id, version: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => ctx.services.workflows.restoreVersion(input.id, input.version)),
  import: procedure
    .input(z.object({ text: z.string().max(5_000_000), fileName: z.string().optional() }))
    .mutation(({ ctx, input }) => ctx.services.workflows.import(input.text, input.fileName)),
  export: procedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => ctx.services.workflows.export(input.id)),
});
