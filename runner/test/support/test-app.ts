import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type RunnerConfig } from '../../src/config/config';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer, type ServerOptions } from '../../src/server';
import { createTestDatabase, type TestDatabase } from './test-db';

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  config: RunnerConfig;
  close(): Promise<void>;
}

/** The API on its own database, with a fresh key, ready for inject() (or listen()). */
export async function createTestApp(
  env: Record<string, string> = {},
  extra: Partial<Omit<ServerOptions, 'config' | 'orm'>> = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    MAESTRO_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAESTRO_LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await buildServer({
    config,
    orm: db.orm,
    logger: false,
    metrics: createMetrics(),
    ...extra,
  });
  await app.ready();
  return {
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export interface TestUser {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers and logs in a user through the API. */
export async function signUp(app: FastifyInstance, name = 'user'): Promise<TestUser> {
  const email = `${name}-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const reg = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password, name },
  });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password },
  });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const tokens = login.json() as { accessToken: string; refreshToken: string };
  return { userId: reg.json().id, email, ...tokens };
}

/** A user who owns a fresh organization, with the headers to act in it. */
export async function signUpWithOrg(app: FastifyInstance, name = 'owner') {
  const user = await signUp(app, name);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: { authorization: `Bearer ${user.accessToken}` },
    payload: { name: `${name}'s org` },
  });
  if (res.statusCode !== 201) throw new Error(`create org failed: ${res.statusCode} ${res.body}`);
  const orgId = res.json().id as string;
  return {
    ...user,
    orgId,
    headers: { authorization: `Bearer ${user.accessToken}`, 'x-organization-id': orgId },
  };
}

/** A small valid workflow document. */
export function webhookWorkflow(name = 'hook flow') {
  return {
    format: 'maestro/workflow@1',
    name,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
      { id: 'shape', type: 'transform', config: { value: { got: '{{ trigger.body }}' } } },
    ],
    edges: [{ from: 'hook', to: 'shape' }],
  };
}

export function scheduleWorkflow(cron = '*/5 * * * *', timezone = 'Europe/Paris') {
  return {
    format: 'maestro/workflow@1',
    name: 'scheduled',
    nodes: [
      { id: 'tick', type: 'trigger.schedule', config: { cron, timezone } },
      { id: 'shape', type: 'transform', config: { value: { at: '{{ trigger.scheduledAt }}' } } },
    ],
    edges: [{ from: 'tick', to: 'shape' }],
  };
}
