import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RunResult } from '../../../../shared/src/model/run-result';
import { hmacSecretContext } from '../../crypto/contexts';
import { withOrgContext } from '../../db/org-context';
import { sendProblem } from '../../http/error-handler';
import { HttpProblem, titleOf } from '../../http/problem';
import { assertStorableText } from '../../http/storable-text';
import { createExecutionBatcher } from '../../outbox/execution-batcher';
import type { ExecutionPublisher } from '../../queue/execution-publisher';
import { createCompletionWaiter } from './completion-waiter';
import {
  BodyParseError,
  parseWebhookBody,
  signatureIsValid,
  webhookTriggerOutput,
} from './webhook-request';
import {
  createWebhookTriggerLookup,
  evaluateDedupeKey,
  type WebhookTrigger,
} from './webhook-trigger';

export interface HooksRoutesOptions {
  /** How long `respond: "onCompletion"` waits before answering 504 (default: config.webhookResponseTimeoutMs). */
  responseTimeoutMs?: number;
  /** LISTEN connection for completion notifications (default: config.databaseUrl). */
  listenUrl?: string;
  /**
   * Publishes each committed batch of webhook executions at once (the API role passes its
   * publisher); without it the outbox relay publishes them.
   */
  publisher?: ExecutionPublisher;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
// Tokens are base64url (triggers.ts); anything else is refused before it reaches a query
// (a NUL byte, for one, made PostgreSQL fail the lookup: a 500 found by fuzz-bodies.test.ts).
const HookParams = z.object({
  token: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a webhook token'),
});

/**
 * The webhook entry `/v1/hooks/{token}`: public (the token is the
 * credential), optionally HMAC-signed, answering 202 `{ executionId }` at once
 * or, with `respond: "onCompletion"`, the respond node's reply.
 * @example await app.register(createHooksRoutes({ responseTimeoutMs: 10_000 }))
 */
export function createHooksRoutes(options: HooksRoutesOptions = {}): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const config = app.runnerConfig;
    const timeoutMs = options.responseTimeoutMs ?? config.webhookResponseTimeoutMs;
    const triggers = createWebhookTriggerLookup(app.orm);
    const executions = createExecutionBatcher(app.orm, {
      publisher: options.publisher,
      onPublishError: (error) =>
        app.log.warn({ err: error }, 'webhook executions not published yet: the relay takes over'),
    });
    const waiter = createCompletionWaiter({
      orm: app.orm,
      listenUrl: options.listenUrl ?? config.databaseUrl,
    });
    app.addHook('onClose', async () => {
      await executions.drain().catch(() => undefined);
      await waiter.close();
    });

    // The signature covers the exact bytes received: keep the raw body, parse it ourselves.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: config.bodyLimit },
      (_req, body, done) => done(null, body),
    );

    app.route({
      method: [...METHODS],
      url: '/v1/hooks/:token',
      config: { access: 'public' },
      schema: {
        tags: ['hooks'],
        summary: 'Webhook entry: starts a run of the workflow that owns the token',
        description:
          '202 { executionId } at once, or the respond node reply when the trigger responds on completion (504 after the timeout). ' +
          'Signed webhooks need X-Maestro-Signature: sha256=<hex HMAC-SHA256 of the raw body>.',
        params: HookParams,
      },
      handler: (request, reply) =>
        handleHook(request as FastifyRequest<{ Params: z.infer<typeof HookParams> }>, reply),
    });

    async function handleHook(
      request: FastifyRequest<{ Params: z.infer<typeof HookParams> }>,
      reply: FastifyReply,
    ) {
      const started = performance.now();
      const trigger = await triggers.find(request.params.token);
      if (!trigger) throw new HttpProblem(404, 'no webhook has this token');
      if (!trigger.workflowEnabled) throw new HttpProblem(409, 'the workflow is disabled');
      if (request.method !== trigger.method) {
        throw new HttpProblem(405, `this webhook accepts ${trigger.method} only`, undefined, {
          allow: trigger.method,
        });
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
      verifySignature(app, trigger, raw, request.headers['x-maestro-signature']);
      let body: unknown;
      try {
        body = parseWebhookBody(raw, request.headers['content-type']);
      } catch (error) {
        if (error instanceof BodyParseError) throw new HttpProblem(400, error.message);
        throw error;
      }
      assertStorableText(body);
      const output = webhookTriggerOutput(request, body);
      const dedupeKey = await evaluateDedupeKey(trigger, output).catch((error: unknown) => {
        throw new HttpProblem(
          400,
          `dedupeKey could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      const { id, created } = await executions.create({
        orgId: trigger.organizationId,
        workflowId: trigger.workflowId,
        versionId: trigger.versionId,
        input: output,
        trigger: 'webhook',
        dedupeKey,
        triggerId: trigger.triggerId,
        dedupeWindowSeconds: trigger.dedupeWindowSeconds,
      });
      if (!created) reply.header('x-maestro-deduplicated', 'true');
      reply.header('x-maestro-execution-id', id);
      if (trigger.respondMode === 'accepted') {
        app.metrics.webhookLatency.observe(
          { respond: 'accepted' },
          (performance.now() - started) / 1000,
        );
        return reply.code(202).send({ executionId: id });
      }
      const finished = await waiter.wait(id, timeoutMs);
      app.metrics.webhookLatency.observe(
        { respond: 'onCompletion' },
        (performance.now() - started) / 1000,
      );
      if (!finished) {
        return sendProblem(reply, {
          type: 'https://maestro.dev/problems/webhook-timeout',
          title: titleOf(504),
          status: 504,
          detail: `execution ${id} did not finish within ${timeoutMs} ms; it goes on running (GET /v1/executions/${id})`,
        });
      }
      return sendCompletionReply(app, reply, trigger, id);
    }
  };
}

/** The plugin app.ts registers (options from the runner config). */
export const hooksRoutes: FastifyPluginAsync = createHooksRoutes();

function verifySignature(
  app: FastifyInstance,
  trigger: WebhookTrigger,
  raw: Buffer | undefined,
  header: string | string[] | undefined,
) {
  if (!trigger.hmacSecretEnc) return;
  const secret = app.secretBox.open(trigger.hmacSecretEnc, hmacSecretContext(trigger.workflowId));
  if (!signatureIsValid(secret, raw, header)) {
    throw new HttpProblem(
      401,
      'missing or invalid X-Maestro-Signature (sha256=<hex HMAC-SHA256 of the raw body>)',
    );
  }
}

interface RespondOutput {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

async function sendCompletionReply(
  app: FastifyInstance,
  reply: FastifyReply,
  trigger: WebhookTrigger,
  id: string,
) {
  const [row] = await withOrgContext(app.orm, trigger.organizationId, (em) =>
    em.execute<{ status: string; result: RunResult | null }[]>(
      'select status, result from executions where id = ?',
      [id],
    ),
  );
  const result = row?.result;
  const respond = trigger.respondStepIds
    .map((stepId) => result?.steps[stepId])
    .find((step) => step?.status === 'success');
  if (respond) {
    const out = (respond.output ?? {}) as RespondOutput;
    reply.code(out.status ?? 200);
    for (const [name, value] of Object.entries(out.headers ?? {})) reply.header(name, value);
    const body = out.body ?? null;
    if (typeof body === 'string') return reply.send(body);
    return reply
      .type(reply.getHeader('content-type')?.toString() ?? 'application/json')
      .send(JSON.stringify(body));
  }
  if (row?.status === 'success')
    return reply.code(200).send({ executionId: id, status: 'success' });
  return sendProblem(reply, {
    type: 'https://maestro.dev/problems/execution-failed',
    title: titleOf(502),
    status: 502,
    detail: `execution ${id} ended ${row?.status ?? 'unknown'}${result?.error ? ` (${result.error.code})` : ''} before a respond step ran`,
  });
}
