import { z } from 'zod';
import {
  InvitationTarget,
  MemberTarget,
  NewInvitation,
  OrganizationRef,
  RoleChange,
  WorkflowAccessChange,
  WorkflowRef,
} from '../runner/admin-service';
import { AlertSettingsBody } from '../../../shared/src/contracts/runner-api';
import {
  DeliveryRef,
  EnabledChange,
  NewSubscription,
  SubscriptionRef,
} from '../runner/event-subscriptions-service';
import { ExecutionQuery, StatsQuery } from '../runner/executions-service';
import { NotificationQuery, NotificationRef } from '../runner/notifications-service';
import {
  ConnectionRef,
  NewConnection,
  NewCredentials,
  RateLimitChange,
} from '../runner/runner-connections-service';
import { SlaChange, SlaTarget } from '../runner/workflow-sla-service';
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
  /** The organization's workflows, for the Executions page's table and pickers (one request a page). */
  workflows: runnerProcedure.query(({ ctx }) => ctx.services.runner.executions.workflows()),
  stats: runnerProcedure
    .input(StatsQuery)
    .query(({ ctx, input }) => ctx.services.runner.executions.stats(input)),
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
  /** One workflow's SLA (decision 0018) and whether the user's role may change it. */
  sla: runnerProcedure
    .input(SlaTarget)
    .query(({ ctx, input }) => ctx.services.runner.slas.get(input.runnerWorkflowId)),
  setSla: runnerProcedure
    .input(SlaChange)
    .mutation(({ ctx, input }) => ctx.services.runner.slas.set(input)),
  clearSla: runnerProcedure.input(SlaTarget).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.slas.clear(input.runnerWorkflowId);
    return input;
  }),
});

/** `runner.admin.*`: organizations and members (the runner enforces who may). */
export const runnerAdminRouter = router({
  organizations: runnerProcedure.query(({ ctx }) => ctx.services.runner.admin.organizations()),
  createOrganization: runnerProcedure
    .input(z.strictObject({ name: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) => ctx.services.runner.admin.createOrganization(input.name)),
  members: runnerProcedure
    .input(OrganizationRef)
    .query(({ ctx, input }) => ctx.services.runner.admin.members(input.organizationId)),
  changeRole: runnerProcedure
    .input(RoleChange)
    .mutation(({ ctx, input }) => ctx.services.runner.admin.changeRole(input)),
  removeMember: runnerProcedure.input(MemberTarget).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.admin.removeMember(input);
    return input;
  }),
  invite: runnerProcedure
    .input(NewInvitation)
    .mutation(({ ctx, input }) => ctx.services.runner.admin.invite(input)),
  invitations: runnerProcedure
    .input(OrganizationRef)
    .query(({ ctx, input }) => ctx.services.runner.admin.invitations(input.organizationId)),
  revokeInvitation: runnerProcedure.input(InvitationTarget).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.admin.revokeInvitation(input);
    return input;
  }),
  workflowAccess: runnerProcedure
    .input(WorkflowRef)
    .query(({ ctx, input }) => ctx.services.runner.admin.workflowAccess(input.runnerWorkflowId)),
  setWorkflowAccess: runnerProcedure
    .input(WorkflowAccessChange)
    .mutation(({ ctx, input }) => ctx.services.runner.admin.setWorkflowAccess(input)),
});

/** `runner.notifications.*`: the bell (in-app notifications) and failure-alert muting. */
export const runnerNotificationsRouter = router({
  list: runnerProcedure
    .input(NotificationQuery)
    .query(({ ctx, input }) => ctx.services.runner.notifications.list(input)),
  unreadCount: runnerProcedure.query(({ ctx }) => ctx.services.runner.notifications.unreadCount()),
  markRead: runnerProcedure.input(NotificationRef).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.notifications.markRead(input.notificationId);
    return input;
  }),
  markAllRead: runnerProcedure.mutation(async ({ ctx }) => ({
    marked: await ctx.services.runner.notifications.markAllRead(),
  })),
  alertSettings: runnerProcedure.query(({ ctx }) =>
    ctx.services.runner.notifications.alertSettings(),
  ),
  saveAlertSettings: runnerProcedure
    .input(AlertSettingsBody)
    .mutation(({ ctx, input }) => ctx.services.runner.notifications.saveAlertSettings(input)),
});

/** `runner.connections.*`: the runner's connections (credentials of published workflows). */
export const runnerConnectionsRouter = router({
  list: runnerProcedure.query(({ ctx }) => ctx.services.runner.runnerConnections.list()),
  abilities: runnerProcedure.query(({ ctx }) => ctx.services.runner.runnerConnections.abilities()),
  get: runnerProcedure
    .input(ConnectionRef)
    .query(({ ctx, input }) => ctx.services.runner.runnerConnections.get(input.connectionId)),
  create: runnerProcedure
    .input(NewConnection)
    .mutation(({ ctx, input }) => ctx.services.runner.runnerConnections.create(input)),
  replaceCredentials: runnerProcedure
    .input(NewCredentials)
    .mutation(({ ctx, input }) => ctx.services.runner.runnerConnections.replaceCredentials(input)),
  refresh: runnerProcedure
    .input(ConnectionRef)
    .mutation(({ ctx, input }) =>
      ctx.services.runner.runnerConnections.refresh(input.connectionId),
    ),
  setRateLimit: runnerProcedure
    .input(RateLimitChange)
    .mutation(({ ctx, input }) => ctx.services.runner.runnerConnections.setRateLimit(input)),
  removeRateLimit: runnerProcedure
    .input(ConnectionRef)
    .mutation(({ ctx, input }) =>
      ctx.services.runner.runnerConnections.removeRateLimit(input.connectionId),
    ),
  remove: runnerProcedure.input(ConnectionRef).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.runnerConnections.remove(input.connectionId);
    return input;
  }),
});

/** `runner.eventWebhooks.*`: outgoing event webhooks (decision 0019); owners and admins only. */
export const runnerEventWebhooksRouter = router({
  list: runnerProcedure.query(({ ctx }) => ctx.services.runner.eventSubscriptions.list()),
  create: runnerProcedure
    .input(NewSubscription)
    .mutation(({ ctx, input }) => ctx.services.runner.eventSubscriptions.create(input)),
  setEnabled: runnerProcedure
    .input(EnabledChange)
    .mutation(({ ctx, input }) => ctx.services.runner.eventSubscriptions.setEnabled(input)),
  rotateSecret: runnerProcedure
    .input(SubscriptionRef)
    .mutation(({ ctx, input }) =>
      ctx.services.runner.eventSubscriptions.rotateSecret(input.subscriptionId),
    ),
  remove: runnerProcedure.input(SubscriptionRef).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.eventSubscriptions.remove(input.subscriptionId);
    return input;
  }),
  deliveries: runnerProcedure
    .input(SubscriptionRef)
    .query(({ ctx, input }) =>
      ctx.services.runner.eventSubscriptions.deliveries(input.subscriptionId),
    ),
  redeliver: runnerProcedure
    .input(DeliveryRef)
    .mutation(({ ctx, input }) => ctx.services.runner.eventSubscriptions.redeliver(input)),
});
