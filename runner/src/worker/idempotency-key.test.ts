import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../../shared/src/engine/circuit-breaker';
import { prepareWorkflow } from '../../../shared/src/engine/prepare';
import { runWorkflow } from '../../../shared/src/engine/run-workflow';
import { StepError } from '../../../shared/src/engine/step-error';
import { validateWorkflow } from '../../../shared/src/validation/validate-workflow';
import { newId } from '../db/ids';
import { stepIdempotencyKey } from './idempotency-key';
import { createWorkerHostFactory, type WorkerHostFactory } from './worker-step-host';

interface Seen {
  method: string;
  path: string;
  key: string | undefined;
}

let server: Server;
let base: string;
let hosts: WorkerHostFactory;
const seen: Seen[] = [];
const failures = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const header = req.headers['idempotency-key'];
    seen.push({
      method: req.method ?? '',
      path,
      key: typeof header === 'string' ? header : undefined,
    });
    const left = failures.get(path) ?? 0;
    if (left > 0) {
      failures.set(path, left - 1);
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hosts = createWorkerHostFactory({
    sandbox: { run: () => Promise.reject(new StepError('CODE', 'none', { retryable: false })) },
    circuit: createCircuitBreaker(),
  });
});

afterAll(async () => {
  await hosts?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function prepared(nodes: Record<string, unknown>[]) {
  const ids = ['hook', ...nodes.map((n) => n.id as string)];
  const validated = validateWorkflow({
    format: 'maestro/workflow@1',
    name: 'keys',
    nodes: [{ id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } }, ...nodes],
    edges: ids.slice(1).map((id, i) => ({ from: ids[i], to: id })),
  });
  if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
  return prepareWorkflow(validated.workflow);
}

async function run(workflow: ReturnType<typeof prepared>, executionId: string) {
  const host = hosts.forRun({
    allowPrivateNetwork: true,
    secrets: { resolveConnection: () => Promise.reject(new Error('no connections')) },
  });
  const result = await runWorkflow(workflow, { input: {}, executionId, host });
  expect(result.status, JSON.stringify(result.error)).toBe('success');
}

const post = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'action.http',
  config: { method: 'POST', url: `${base}${path}`, body: {} },
  ...extra,
});

describe('Idempotency-Key on worker HTTP calls', () => {
  it('is the same on every attempt of a step, retries and re-runs of the execution alike', async () => {
    const workflow = prepared([
      post('charge', '/charge', { retry: { maxAttempts: 3, backoffMs: 1 } }),
    ]);
    const executionId = newId();
    seen.length = 0;
    failures.set('/charge', 1); // attempt 1 fails, the engine retries
    await run(workflow, executionId);
    await run(workflow, executionId); // the same execution run again, as after a worker crash
    expect(seen.map((s) => s.path)).toEqual(['/charge', '/charge', '/charge']);
    const keys = new Set(seen.map((s) => s.key));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBe(stepIdempotencyKey({ executionId, stepId: 'charge' }));
  });

  it('differs between steps, executions and forEach elements', async () => {
    const workflow = prepared([
      post('first', '/a'),
      post('second', '/b'),
      post('each', '/item/{{ item }}', { forEach: '{{ [1, 2, 3] }}' }),
    ]);
    seen.length = 0;
    await run(workflow, newId());
    await run(workflow, newId());
    expect(seen).toHaveLength(10);
    expect(seen.every((s) => s.key?.startsWith('maestro-'))).toBe(true);
    expect(new Set(seen.map((s) => s.key)).size).toBe(10);
  });

  it('keeps a key the workflow sets itself and adds none to GET', async () => {
    const workflow = prepared([
      {
        id: 'own',
        type: 'action.http',
        config: { method: 'PUT', url: `${base}/own`, headers: { 'Idempotency-Key': 'mine-1' } },
      },
      { id: 'read', type: 'action.http', config: { method: 'GET', url: `${base}/read` } },
    ]);
    seen.length = 0;
    await run(workflow, newId());
    expect(seen).toEqual([
      { method: 'PUT', path: '/own', key: 'mine-1' },
      { method: 'GET', path: '/read', key: undefined },
    ]);
  });
});
