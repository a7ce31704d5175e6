import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWorkflow, runWorkflow, StepError, validateWorkflow } from '../../shared/src/index';
import type { SecretResolver, StepHost } from '../../shared/src/index';
import { createLocalStepHost } from './create-local-step-host';

// Real runs through the dry-run host: a local HTTP server, the real QuickJS
// sandbox, the real clock and the process-wide circuit breaker.

let baseUrl = '';
let lastAuthorization: string | undefined;
const server = createServer((req, res) => {
  lastAuthorization = req.headers.authorization;
  if (req.url === '/fail') res.writeHead(503).end('down');
  else
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ auth: req.headers.authorization ?? null }));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function oneStep(step: Record<string, unknown>) {
  const checked = validateWorkflow({
    format: 'maestro/workflow@1',
    name: 'host test',
    nodes: [
      { id: 'start', type: 'trigger.manual' },
      { id: 'step', ...step },
    ],
    edges: [{ from: 'start', to: 'step' }],
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const prepared = prepareWorkflow(checked.workflow);
  return (host: StepHost) =>
    runWorkflow(prepared, { input: { n: 41 }, executionId: 'host-test', host });
}

describe('createLocalStepHost', () => {
  it('calls localhost (no SSRF guard in a dry-run) and runs code.js in the QuickJS sandbox', async () => {
    const host = createLocalStepHost();
    const http = await oneStep({ type: 'action.http', config: { url: `${baseUrl}/ok` } })(host);
    expect(http.steps.step).toMatchObject({
      status: 'success',
      output: { status: 200, body: { auth: null } },
    });
    const code = await oneStep({
      type: 'code.js',
      config: { code: 'return input.trigger.n + 1;' },
    })(host);
    expect(code.steps.step).toMatchObject({ status: 'success', output: 42 });
  });

  it('uses the SecretResolver it is given (the desktop keychain) and redacts the secret', async () => {
    const secrets: SecretResolver = {
      resolveConnection: (id) =>
        id === 'crm'
          ? Promise.resolve({ headers: { authorization: 'Bearer s3cret' }, secrets: ['s3cret'] })
          : Promise.reject(
              new StepError('VALIDATION', `no connection "${id}"`, { retryable: false }),
            ),
    };
    const run = oneStep({
      type: 'action.http',
      config: { url: `${baseUrl}/ok`, auth: { connection: 'crm' } },
    });
    const result = await run(createLocalStepHost({ secrets }));
    expect(result.status).toBe('success');
    expect(JSON.stringify(result)).not.toContain('s3cret');
    expect(lastAuthorization).toBe('Bearer s3cret'); // sent for real...
    expect(result.steps.step?.output).toMatchObject({ body: { auth: '[redacted]' } }); // ...never shown
  });

  it('without a SecretResolver (the CLI), a connection fails the step with VALIDATION, not retried', async () => {
    const run = oneStep({
      type: 'action.http',
      config: { url: `${baseUrl}/ok`, auth: { connection: 'crm' } },
      retry: { maxAttempts: 3, backoffMs: 1 },
    });
    const result = await run(createLocalStepHost());
    expect(result.steps.step).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'VALIDATION' },
    });
    expect(result.error?.message).toMatch(
      /^connection "crm" is not available here: the maestro CLI has no stored connections/,
    );
  });

  it('shares one circuit breaker across hosts: a failing host stays open for the next run', async () => {
    const failing = oneStep({ type: 'action.http', config: { url: `${baseUrl}/fail` } });
    for (let i = 0; i < 5; i++) {
      const result = await failing(createLocalStepHost());
      expect(result.error?.code).toBe('HTTP_STATUS');
    }
    const next = await oneStep({ type: 'action.http', config: { url: `${baseUrl}/ok` } })(
      createLocalStepHost(),
    );
    expect(next.error?.code).toBe('CIRCUIT_OPEN');
    expect(next.error?.message).toContain(new URL(baseUrl).host);
  });
});
