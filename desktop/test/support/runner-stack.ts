/**
 * A real Maestro runner for desktop tests: the API listening on 127.0.0.1
 * (its own PostgreSQL database, see runner/test/support) and, when asked, a
 * relay + worker in this process with its own RabbitMQ queue prefix, so
 * published workflows really run.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startExecutionStack } from '../../../runner/test/support/execution-stack';
import type { ExecutionStack } from '../../../runner/test/support/execution-stack';
import { createTestApp, signUp } from '../../../runner/test/support/test-app';
import type { TestApp as RunnerTestApp, TestUser } from '../../../runner/test/support/test-app';
import { createTestBroker } from '../../../runner/test/support/test-broker';
import { withSystemContext } from '../../../runner/src/db/org-context';
import type { TestBroker } from '../../../runner/test/support/test-broker';

export const RUNNER_PASSWORD = 'correct horse battery';

export interface RunnerStack {
  url: string;
  runner: RunnerTestApp;
  /** Registers a user (password RUNNER_PASSWORD) through the API. */
  signUp(name?: string): Promise<TestUser>;
  /** Lets this organization's steps call 127.0.0.1 (a test's own HTTP server). */
  allowPrivateNetwork(organizationId: string): Promise<void>;
  /** What the runner's database holds: an organization's executions created since a time, by status. */
  countExecutions(organizationId: string, since: Date): Promise<Record<string, number>>;
  /** Moves an execution's creation time (to put it outside a window). */
  backdateExecution(executionId: string, createdAt: Date): Promise<void>;
  close(): Promise<void>;
}

export async function startRunnerStack(
  options: {
    worker?: boolean;
    /** Where to listen (a port chosen beforehand, e.g. for an identity provider's redirect URI). */
    port?: number;
    /** More runner configuration (MAESTRO_* variables). */
    env?: Record<string, string>;
  } = {},
): Promise<RunnerStack> {
  // The webhook URLs the runner hands out must carry the port it listens on.
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const runner = await createTestApp({
    MAESTRO_PUBLIC_URL: url,
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...options.env,
  });
  await runner.app.listen({ host: '127.0.0.1', port });
  let broker: TestBroker | undefined;
  let stack: ExecutionStack | undefined;
  if (options.worker) {
    broker = await createTestBroker();
    stack = startExecutionStack({
      orm: runner.db.orm,
      broker: broker.broker,
      listenUrl: runner.db.url,
      secretBox: runner.app.secretBox,
    });
  }
  return {
    url,
    runner,
    signUp: (name) => signUp(runner.app, name),
    allowPrivateNetwork: (organizationId) =>
      withSystemContext(runner.db.orm, async (em) => {
        await em.execute('update organizations set allow_private_network = true where id = ?', [
          organizationId,
        ]);
      }),
    countExecutions: (organizationId, since) =>
      withSystemContext(runner.db.orm, async (em) => {
        const rows = await em.execute<{ status: string; n: string }[]>(
          'select status, count(*) as n from executions where organization_id = ? and created_at >= ? group by status',
          [organizationId, since],
        );
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      }),
    backdateExecution: (executionId, createdAt) =>
      withSystemContext(runner.db.orm, async (em) => {
        await em.execute('update executions set created_at = ? where id = ?', [
          createdAt,
          executionId,
        ]);
      }),
    async close() {
      await stack?.stop();
      await broker?.drop();
      await runner.close();
    },
  };
}

/** A port nothing listens on (now): for a runner that is down. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
