/**
 * Failure alerts for desktop tests: a desktop signed in to a real runner with an organization,
 * and a published workflow that fails, whose digest the runner's own scheduler code writes.
 */
import { recordFailureAlerts } from '../../../runner/src/notifications/failure-alerts';
import type { appRouter } from '../../main/router/app-router';
import { RUNNER_PASSWORD } from './runner-stack';
import type { RunnerStack } from './runner-stack';

type DesktopCaller = ReturnType<typeof appRouter.createCaller>;

/** Signs the desktop in (profile in use) as a new runner user, in a new organization of theirs. */
export async function signInWithOrganization(
  caller: DesktopCaller,
  runner: RunnerStack,
  name: string,
) {
  const user = await runner.signUp(name);
  const profile = await caller.runner.profiles.create({ name, baseUrl: runner.url });
  await caller.runner.profiles.setActive({ profileId: profile.id });
  await caller.runner.profiles.signIn({
    profileId: profile.id,
    email: user.email,
    password: RUNNER_PASSWORD,
  });
  const org = await caller.runner.admin.createOrganization({ name: `${name} org` });
  await caller.runner.profiles.selectOrganization({
    profileId: profile.id,
    organizationId: org.id,
  });
  return { user, profileId: profile.id, orgId: org.id };
}

const failingWorkflow = (name: string) => ({
  format: 'maestro/workflow@1',
  name,
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'boom', type: 'flow.fail', config: { message: 'the upstream refused' } },
  ],
  edges: [{ from: 'hook', to: 'boom' }],
});

/**
 * Publishes a workflow that fails from the desktop, calls its webhook `times` times, waits
 * until the worker has failed every run, then runs the scheduler's failure-alert pass (settled
 * at once) so that the runner writes its digest. Newest execution first.
 */
export async function publishFailingWorkflow(
  caller: DesktopCaller,
  runner: RunnerStack,
  name: string,
  times: number,
) {
  const { id } = await caller.workflows.create({ document: failingWorkflow(name) });
  const published = await caller.runner.publish.publish({ workflowId: id });
  for (let i = 0; i < times; i++) {
    const hook = await fetch(published.webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (hook.status !== 202) throw new Error(`webhook answered ${hook.status}`);
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { items } = await caller.runner.executions.list({
      runnerWorkflowId: published.runnerWorkflowId,
    });
    const failed = items.filter((e) => e.status === 'failed');
    if (failed.length === times)
      return {
        runnerWorkflowId: published.runnerWorkflowId,
        executionIds: failed.map((e) => e.id),
      };
    if (Date.now() > deadline) throw new Error(`${failed.length} of ${times} runs failed in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One pass of the scheduler's `failure-alerts` job with nothing left to settle. */
export function writeFailureDigests(runner: RunnerStack): Promise<string[]> {
  return recordFailureAlerts({
    orm: runner.runner.db.orm,
    publicUrl: runner.url,
    timing: { windowMs: 60_000, settleMs: 0, lookbackMs: 3_600_000 },
  });
}
