import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWorkflow, runWorkflow, validateWorkflow } from '../../shared/src/index';
import type { RunResult } from '../../shared/src/index';
import { createLocalStepHost } from '../../desktop/dry-run/create-local-step-host';
import type { ExampleApiServer } from './support/example-api-server';
import { startExampleApiServer } from './support/example-api-server';
import {
  envFor,
  envNamesOf,
  EXAMPLES_DIR,
  exampleNames,
  readExample,
  readExampleInput,
} from './support/examples';

// Every example runs as it is, through the desktop/CLI dry-run host, against a
// real local HTTP server standing in for the APIs it calls.

let server: ExampleApiServer;
beforeAll(async () => {
  server = await startExampleApiServer();
});
afterAll(async () => {
  await server.close();
});

async function runExample(
  name: string,
  input: unknown = readExampleInput(name),
): Promise<RunResult> {
  const checked = validateWorkflow(readExample(name));
  if (!checked.ok) throw new Error(`${name} is invalid: ${JSON.stringify(checked.errors)}`);
  return runWorkflow(prepareWorkflow(checked.workflow), {
    input,
    env: envFor(name, server.url),
    executionId: `test-${name}-${Math.random().toString(36).slice(2)}`,
    host: createLocalStepHost(),
  });
}

const output = (result: RunResult, step: string): unknown => result.steps[step]?.output;
const bodiesOf = (method: string, path: string) => server.received(method, path).map((r) => r.body);

describe('the examples folder', () => {
  it('holds at least 12 workflows, each valid and listed in examples/README.md', () => {
    const names = exampleNames();
    expect(names.length).toBeGreaterThanOrEqual(12);
    const readme = readFileSync(`${EXAMPLES_DIR}README.md`, 'utf8');
    for (const name of names) {
      const checked = validateWorkflow(readExample(name));
      expect(checked.ok ? [] : checked.errors, name).toEqual([]);
      expect(readme, `README lists ${name}`).toContain(`${name}.maestro.json`);
    }
  });

  it('only refers to env variables ending in _URL (so tests can point them at a local server)', () => {
    for (const name of exampleNames()) {
      for (const key of envNamesOf(name)) expect(key, name).toMatch(/_URL$/);
    }
  });
});

describe('each example dry-runs successfully as it is', () => {
  it('webhook-to-crm (scenario A) posts the mapped contact', async () => {
    const result = await runExample('webhook-to-crm');
    expect(result.status).toBe('success');
    const [request] = server.received('POST', '/contacts');
    expect(request?.headers['x-source']).toBe('maestro');
    expect(request?.body).toEqual({
      email: 'ada.lovelace@example.com',
      fullName: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      plan: 'PRO',
      seats: 5,
      signedUpAt: '2026-11-23T10:00:00Z',
      tags: ['signup', 'pro'],
    });
    expect(output(result, 'createContact')).toMatchObject({ status: 201, body: { id: 'c_1001' } });
  });

  it('csv-import-to-api (scenario B) pushes each cleaned active row', async () => {
    const result = await runExample('csv-import-to-api');
    expect(result.status).toBe('success');
    const pushed = server.received('POST', '/customers');
    expect(
      pushed.map((r) => r.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      { email: 'ada@example.com', name: 'Ada Lovelace', country: 'GB', lifetimeValue: 1200.5 },
      { email: 'grace@example.com', name: 'Grace Hopper', country: 'US', lifetimeValue: 1530 },
      { email: 'linus@example.com', name: 'Linus Torvalds', country: 'FI', lifetimeValue: 99.99 },
    ]);
    expect(pushed.map((r) => r.headers['idempotency-key'])).toContain(
      'import-2026-11-23T01:00:00.000Z-ada@example.com',
    );
    expect(output(result, 'report')).toEqual({
      read: 4,
      imported: 3,
      skipped: 1,
      scheduledAt: '2026-11-23T01:00:00.000Z',
    });
  });

  it('order-with-error-port takes the error port and still succeeds', async () => {
    const result = await runExample('order-with-error-port');
    expect(result.status).toBe('success');
    expect(result.steps.reserve).toMatchObject({
      status: 'failed',
      port: 'error',
      error: { code: 'HTTP_STATUS' },
    });
    expect(result.steps.confirm?.status).toBe('skipped');
    const [alert] = bodiesOf('POST', '/alerts') as { text: string; step: string }[];
    expect(alert?.text).toMatch(/^Order ORD-1042: stock reservation failed \(HTTP_STATUS\): .*409/);
    expect(alert?.step).toBe('reserve');
  });

  it('flaky-api-retries retries through a 503 and a 429 with Retry-After', async () => {
    const started = Date.now();
    const result = await runExample('flaky-api-retries');
    expect(result.status).toBe('success');
    expect(result.steps.fetchReport?.attempts).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    expect(output(result, 'summary')).toEqual({ period: '2026-10', revenue: 12345.67 });
  });

  it('branch-big-orders sends a big order to the CRM and records a small one only', async () => {
    const big = await runExample('branch-big-orders');
    expect(big.status).toBe('success');
    expect(big.steps.isBig?.port).toBe('true');
    expect(big.steps.smallOrder?.status).toBe('skipped');
    expect(output(big, 'record')).toEqual({ orderId: 'ORD-2001', route: 'crm' });
    expect(bodiesOf('POST', '/orders')).toContainEqual({
      id: 'ORD-2001',
      total: 249.9,
      customer: 'grace@example.com',
    });

    const small = await runExample('branch-big-orders', { body: { id: 'ORD-2002', total: 20 } });
    expect(small.status).toBe('success');
    expect(small.steps.notify?.status).toBe('skipped');
    expect(output(small, 'record')).toEqual({ orderId: 'ORD-2002', route: 'recorded only' });
  });

  it('poll-new-tickets posts the polled ticket to the chat', async () => {
    const result = await runExample('poll-new-tickets');
    expect(result.status).toBe('success');
    expect(bodiesOf('POST', '/chat/messages')).toContainEqual({
      channel: '#support',
      text: 'New ticket #311 (high): Cannot export invoices',
    });
  });

  it('customer-360 fans out three calls and merges them', async () => {
    const result = await runExample('customer-360');
    expect(result.status).toBe('success');
    expect(output(result, 'merge')).toEqual({
      id: 7,
      name: 'User 7',
      email: 'user7@example.com',
      orderCount: 2,
      lifetimeValue: 150.5,
      openTickets: 2,
    });
  });

  it('score-leads-code ranks leads in code.js and branches on the best one', async () => {
    const result = await runExample('score-leads-code');
    expect(result.status).toBe('success');
    expect(output(result, 'score')).toMatchObject({
      total: 4,
      average: 45,
      top: [
        { name: 'Initech', score: 80 },
        { name: 'Hooli', score: 50 },
        { name: 'Pied Piper', score: 50 },
      ],
    });
    expect(output(result, 'hot')).toBe('Call Initech today (score 80)');
    expect(result.steps.nurture?.status).toBe('skipped');
  });

  it('orders-to-csv-response answers with a semicolon CSV', async () => {
    const result = await runExample('orders-to-csv-response');
    expect(result.status).toBe('success');
    const reply = output(result, 'reply') as {
      status: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(reply.headers['x-row-count']).toBe('3');
    expect(reply.body.split(/\r?\n/)).toEqual([
      'id;customer;total;paid',
      'ORD-1;Ada Lovelace;120.50;true',
      'ORD-2;Alan Turing;42.00;false',
      'ORD-3;"Grace Hopper; Navy";7.25;true',
    ]);
  });

  it('reject-invalid-signup accepts a valid email and fails the run with FAIL otherwise', async () => {
    const ok = await runExample('reject-invalid-signup');
    expect(ok.status).toBe('success');
    expect(output(ok, 'accept')).toEqual({
      email: 'katherine.johnson@example.com',
      status: 'accepted',
    });

    const rejected = await runExample('reject-invalid-signup', { body: { email: 'nope' } });
    expect(rejected.status).toBe('failed');
    expect(rejected.error).toEqual({
      step: 'reject',
      code: 'FAIL',
      message: 'Rejected signup: "nope" is not an email address',
    });
  });

  it('enrich-users-foreach keeps the input order although calls finish out of order', async () => {
    const result = await runExample('enrich-users-foreach');
    expect(result.status).toBe('success');
    const ids = [3, 1, 4, 5, 9, 2, 6];
    expect(output(result, 'directory')).toEqual(
      ids.map((id) => ({ id, name: `User ${id}`, email: `user${id}@example.com` })),
    );
  });

  it('csv-clean-up turns a semicolon export into a clean CSV', async () => {
    const result = await runExample('csv-clean-up');
    expect(result.status).toBe('success');
    const written = output(result, 'write') as { text: string; count: number };
    expect(written.count).toBe(2);
    expect(written.text.split(/\r?\n/)).toEqual([
      'name,email,country',
      'Ada Lovelace,ada@example.com,GB',
      'Grace Hopper,grace@example.com,US',
    ]);
  });

  it('daily-sales-report aggregates in code.js and uploads the CSV text', async () => {
    const result = await runExample('daily-sales-report');
    expect(result.status).toBe('success');
    const [upload] = server.received('POST', '/reports/sales-2026-11-23.csv');
    expect(upload?.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(upload?.body).split(/\r?\n/)).toEqual([
      'country,orders,revenue',
      'DE,1,20',
      'FR,2,15.75',
    ]);
  });

  it('covers every example file with a test above', () => {
    const tested = readFileSync(new URL(import.meta.url), 'utf8');
    for (const name of exampleNames()) expect(tested).toContain(`runExample('${name}'`);
  });
});
