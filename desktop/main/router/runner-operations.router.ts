import { z } from 'zod';
import { MemberTarget, NewMember, RoleChange } from '../runner/admin-service';
import { ExecutionQuery } from '../runner/executions-service';
import { runnerProcedure } from './runner-procedure';
import { router } from './trpc';

const WorkflowId = z.strictObject({ workflowId: z.string().min(1) });
const ExecutionId = z.strictObject({ executionId: z.string().min(1).max(100) });

/** `runner.publish.*`: the open workflow to the active runner and organization. */
export const runnerPublishRouter = router({
  status: runnerProcedure
    .input(WorkflowId)
    .query(({ ctx, input }) => ctx.services.runner.publish.status(input.workflowId)),
  publish: runnerProcedure
    .input(WorkflowId)
    .mutation(({ ctx, input }) => ctx.services.runner.publish.publish(input.workflowId)),
});

/** `runner.executions.*`: what operators watch. */
export const runnerExecutionsRouter = router({
  overview: runnerProcedure.query(({ ctx }) => ctx.services.runner.executions.overview()),
  list: runnerProcedure
    .input(ExecutionQuery)
    .query(({ ctx, input }) => ctx.services.runner.executions.list(input)),
  get: runnerProcedure
    .input(ExecutionId)
    .query(({ ctx, input }) => ctx.services.runner.executions.get(input.executionId)),
  logs: runnerProcedure
    .input(ExecutionId.extend({ cursor: z.string().max(50).optional() }))
    .query(({ ctx, input }) =>
      ctx.services.runner.executions.logs(input.executionId, input.cursor),
    ),
  cancel: runnerProcedure
    .input(ExecutionId)
    .mutation(({ ctx, input }) => ctx.services.runner.executions.cancel(input.executionId)),
});

/** `runner.admin.*`: organizations and members (the runner enforces who may). */
export const runnerAdminRouter = router({
  organizations: runnerProcedure.query(({ ctx }) => ctx.services.runner.admin.organizations()),
  createOrganization: runnerProcedure
    .input(z.strictObject({ name: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) => ctx.services.runner.admin.createOrganization(input.name)),
  members: runnerProcedure
    .input(z.strictObject({ organizationId: z.string().min(1) }))
    .query(({ ctx, input }) => ctx.services.runner.admin.members(input.organizationId)),
  addMember: runnerProcedure
    .input(NewMember)
    .mutation(({ ctx, input }) => ctx.services.runner.admin.addMember(input)),
  changeRole: runnerProcedure
    .input(RoleChange)
    .mutation(({ ctx, input }) => ctx.services.runner.admin.changeRole(input)),
  removeMember: runnerProcedure.input(MemberTarget).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.admin.removeMember(input);
    return input;
  }),
});
