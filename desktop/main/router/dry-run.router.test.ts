import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/src/index';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';
import type { IssuesError } from '../workflows/issues-error';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP API on 127.0.0.1: `/contacts` echoes, `/slow` answers after 10 s. */
function startApi(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      const reply = (): void => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c_1', token: req.headers['x-token'] ?? null }));
      };
      if (req.url === '/slow') setTimeout(reply, 10_000).unref();
      else reply();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        received,
      }),
    ),
  );
}

const workflow = (path = '/contacts') => ({
  format: 'maestro/workflow@1',
  name: 'Signup to CRM',
  nodes: [
    { id: 'signup', type: 'trigger.webhook', config: { method: 'POST' } },
    {
      id: 'createContact',
      type: 'action.http',
      config: {
        method: 'POST',
        url: `{{ env.CRM_URL }}${path}`,
        headers: { 'x-token': '{{ env.TOKEN }}' },
        body: { email: '{{ $lowercase(trigger.body.email) }}', seats: '{{ trigger.body.seats }}' },
      },
    },
    {
      id: 'done',
      type: 'transform',
      config: { value: { contactId: '{{ steps.createContact.body.id }}' } },
    },
  ],
  edges: [
    { from: 'signup', to: 'createContact' },
    { from: 'createContact', to: 'done' },
  ],
});

const input = {
  method: 'POST',
  path: '/hooks/signup',
  headers: {},
  query: {},
  body: { email: 'Ada@Example.com', seats: 5 },
};

async function collect(stream: AsyncIterable<EngineEvent>): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

// Secret env values live in the OS keychain: a private real Secret Service for this file.
const secretService = await startSecretService();
afterAll(() => secretService.stop());

describe.skipIf(!secretService.available)(
  `dryRun router (engine in this process, real HTTP server)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let api: Awaited<ReturnType<typeof startApi>>;
    let app: TestApp;
    beforeAll(async () => {
      api = await startApi();
    });
    afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));
    beforeEach(async () => {
      app = createTestApp();
      await app.caller.settings.update({
        env: { CRM_URL: api.url, TOKEN: 'tok-s3cret' },
        secretEnvKeys: ['TOKEN'],
      });
    });
    afterEach(() => app.close());

    it('runs, streams every event to the end, stores the run with step inputs', async () => {
      const { id: workflowId } = await app.caller.workflows.create({ document: workflow() });
      const { runId } = await app.caller.dryRun.start({ workflowId, document: workflow(), input });
      const events = await collect(await app.caller.dryRun.events({ runId }));

      expect(events[0]!.type).toBe('run.started');
      const last = events.at(-1)!;
      if (last.type !== 'run.finished') throw new Error(`last event is ${last.type}`);
      expect(last.result.status).toBe('success');
      expect(
        events
          .filter((e) => e.type === 'step.finished')
          .map((e) => e.type === 'step.finished' && e.stepId),
      ).toEqual(expect.arrayContaining(['createContact', 'done']));
      // The server got the mapped body, with env and the secret header from settings.
      expect(api.received.at(-1)).toMatchObject({
        path: '/contacts',
        body: { email: 'ada@example.com', seats: 5 },
        headers: { 'x-token': 'tok-s3cret' },
      });

      const stored = await app.caller.dryRun.get({ runId });
      expect(stored).toMatchObject({ runId, workflowId, input, result: { status: 'success' } });
      expect(stored.stepInputs.createContact).toMatchObject({
        url: `${api.url}/contacts`,
        method: 'POST',
      });
      // A value marked secret is redacted in what is stored, even when the API echoes it.
      expect(JSON.stringify(stored)).not.toContain('tok-s3cret');
      expect(stored.result!.steps.createContact!.output).toMatchObject({
        body: { token: '[redacted]' },
      });
      expect((stored.result!.steps.done!.output as { contactId: string }).contactId).toBe('c_1');

      const [summary] = await app.caller.dryRun.history({ workflowId });
      expect(summary).toMatchObject({ runId, status: 'success', durationMs: expect.any(Number) });
      expect(summary!.finishedAt).toBeDefined();
    });

    it('stores a forEach step input as the list of its element inputs', async () => {
      const document = {
        format: 'maestro/workflow@1',
        name: 'Each',
        nodes: [
          { id: 'start', type: 'trigger.manual' },
          {
            id: 'each',
            type: 'transform',
            forEach: '{{ trigger.ids }}',
            config: { value: { id: '{{ item }}' } },
          },
        ],
        edges: [{ from: 'start', to: 'each' }],
      };
      const { id: workflowId } = await app.caller.workflows.create({ document });
      const { runId } = await app.caller.dryRun.start({
        workflowId,
        document,
        input: { ids: [1, 2, 3] },
      });
      await collect(await app.caller.dryRun.events({ runId }));
      const stored = await app.caller.dryRun.get({ runId });
      expect(stored.result!.steps.each!.output).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(stored.stepInputs.each).toEqual([
        { value: { id: 1 } },
        { value: { id: 2 } },
        { value: { id: 3 } },
      ]);
    });

    it('replays everything to a late subscriber', async () => {
      const { id: workflowId } = await app.caller.workflows.create({ document: workflow() });
      const { runId } = await app.caller.dryRun.start({ workflowId, document: workflow(), input });
      const live = await collect(await app.caller.dryRun.events({ runId }));
      const late = await collect(await app.caller.dryRun.events({ runId }));
      expect(late).toEqual(live);
    });

    it('cancels a running dry-run', async () => {
      const { id: workflowId } = await app.caller.workflows.create({ document: workflow('/slow') });
      const { runId } = await app.caller.dryRun.start({
        workflowId,
        document: workflow('/slow'),
        input,
      });
      const stream = await app.caller.dryRun.events({ runId });
      const events: EngineEvent[] = [];
      for await (const event of stream) {
        events.push(event);
        if (event.type === 'step.started' && event.stepId === 'createContact') {
          expect(await app.caller.dryRun.cancel({ runId })).toEqual({ canceled: true });
        }
      }
      const last = events.at(-1)!;
      expect(last.type === 'run.finished' && last.result.status).toBe('canceled');
      expect((await app.caller.dryRun.history({ workflowId }))[0]!.status).toBe('canceled');
      expect(await app.caller.dryRun.cancel({ runId })).toEqual({ canceled: false });
    });

    it('refuses an invalid document with the validator issues', async () => {
      const { id: workflowId } = await app.caller.workflows.create();
      const broken = { ...workflow(), edges: [{ from: 'signup', to: 'nowhere' }] };
      const error = await app.caller.dryRun
        .start({ workflowId, document: broken, input })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('BAD_REQUEST');
      expect((error as TRPCError).message).toMatch(/not valid yet/);
      const issues = ((error as TRPCError).cause as IssuesError).issues;
      expect(issues.some((issue) => issue.path.startsWith('edges[0]'))).toBe(true);
      expect(await app.caller.dryRun.history({ workflowId })).toEqual([]);
    });

    it('says which run or workflow is unknown', async () => {
      await expect(app.caller.dryRun.get({ runId: 'nope' })).rejects.toThrow(
        /No dry-run with id nope/,
      );
      await expect(app.caller.dryRun.cancel({ runId: 'nope' })).rejects.toThrow(
        /No dry-run with id nope/,
      );
      await expect(
        app.caller.dryRun.start({ workflowId: 'nope', document: workflow(), input }),
      ).rejects.toThrow(/No workflow with id nope/);
    });
  },
);
