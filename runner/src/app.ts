import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { RunnerConfig } from './config/config';
import { createSecretBox, type SecretBox } from './crypto/secret-box';
import { installAuth } from './http/auth';
import { installCredentialInvalidation } from './http/credential-invalidation';
import { installErrorHandler } from './http/error-handler';
import { installIdempotency } from './http/idempotency';
import { installRateLimits, RATE_LIMIT_HEADERS } from './http/rate-limits';
import { installStorableTextGuard } from './http/storable-text';
import { installIdentity, type IdentityOptions } from './identity/install';
import { oidcRoutes } from './identity/oidc/routes';
import { identityRoutes } from './identity/routes';
import { apiKeyRoutes } from './modules/api-keys/routes';
import type { MailSender } from './modules/auth/email-verification';
import { installAccountChecks } from './modules/admin/install';
import { adminRoutes } from './modules/admin/routes';
import { installAudit } from './modules/audit/install';
import { auditRoutes } from './modules/audit/routes';
import { variableRoutes } from './modules/variables/routes';
import { usageRoutes } from './modules/quotas/routes';
import { authRoutes } from './modules/auth/routes';
import { connectorRoutes } from './modules/connectors/routes';
import { executionRoutes } from './modules/executions/routes';
import { hooksRoutes } from './modules/hooks/routes';
import { notificationRoutes } from './modules/notifications/routes';
import { alertSettingsRoutes } from './modules/alert-settings/routes';
import { workflowSlaRoutes } from './modules/workflow-slas/routes';
import { eventSubscriptionRoutes } from './modules/event-subscriptions/routes';
import { invitationRoutes } from './modules/invitations/routes';
import { organizationRoutes } from './modules/organizations/routes';
import { roleRoutes } from './modules/roles/routes';
import { userRoutes } from './modules/users/routes';
import { workflowAccessRoutes } from './modules/workflows/access-routes';
import { workflowRoutes } from './modules/workflows/routes';
import { healthRoutes, type BrokerCheck } from './observability/health-routes';
import { getMetrics, type RunnerMetrics } from './observability/metrics';

export interface AppOptions {
  config: RunnerConfig;
  orm: MikroORM;
  /** From the queue layer, for /readyz. */
  checkBroker?: BrokerCheck;
  metrics?: RunnerMetrics;
  secretBox?: SecretBox;
  /** Outgoing mail (the notifications mailer); default: each message is written to the log. */
  mailer?: MailSender;
  /** The webhook entry (`POST /v1/hooks/{token}`); default hooksRoutes, `false` leaves it out. */
  webhooks?: FastifyPluginAsync | false;
  /** Password policy and login throttling settings (runner/src/identity). */
  identity?: IdentityOptions;
  /** More route plugins under the same hooks. */
  routes?: FastifyPluginAsync[];
}

/**
 * The API as a Fastify plugin: external plugins, then the app's own hooks, then routes by
 * resource. server.ts builds the process around it; tests register it and call inject().
 */
async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const { config } = opts;
  fastify.decorate('orm', opts.orm);
  fastify.decorate('runnerConfig', config);
  fastify.decorate('metrics', opts.metrics ?? getMetrics());
  fastify.decorate(
    'secretBox',
    opts.secretBox ?? createSecretBox(config.encryptionKeys, config.encryptionKeyId),
  );
  fastify.decorate('mailer', opts.mailer ?? logMailer(fastify));
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  // The API takes JSON bodies only (Fastify also parses text/plain by default): anything else is 415.
  // The webhook entry installs its own parsers in its own scope.
  fastify.removeContentTypeParser('text/plain');

  await fastify.register(helmet, {
    // HSTS only when this process serves HTTPS itself; behind a TLS proxy, the proxy sends it.
    strictTransportSecurity: config.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // Upgrading subresources to https breaks /v1/docs on a plain-HTTP runner (127.0.0.1, LAN).
        upgradeInsecureRequests: config.tls ? [] : null,
      },
    },
  });
  await fastify.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'idempotency-key',
      'x-organization-id',
      'x-request-id',
    ],
    exposedHeaders: ['x-request-id', 'retry-after', 'idempotent-replayed', ...RATE_LIMIT_HEADERS],
    maxAge: 600,
  });
  await installRateLimits(fastify);
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Maestro Runner API',
        version: '1.0.0',
        description: 'See shared/spec/runner-api-v1.md.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from /v1/auth/login, or an API key',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await fastify.register(swaggerUi, { routePrefix: '/v1/docs' });

  installErrorHandler(fastify);
  installStorableTextGuard(fastify);
  installAuth(fastify);
  installCredentialInvalidation(fastify);
  installIdempotency(fastify);
  installMetrics(fastify);
  installIdentity(fastify, opts.identity);
  installAccountChecks(fastify);
  installAudit(fastify); // after the other hooks: its preHandler must run last

  fastify.get('/v1/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
  await fastify.register(healthRoutes, { checkBroker: opts.checkBroker });
  for (const routes of [
    authRoutes,
    identityRoutes,
    oidcRoutes,
    organizationRoutes,
    invitationRoutes,
    roleRoutes,
    userRoutes,
    apiKeyRoutes,
    workflowRoutes,
    workflowAccessRoutes,
    workflowSlaRoutes,
    executionRoutes,
    connectorRoutes,
    notificationRoutes,
    alertSettingsRoutes,
    eventSubscriptionRoutes,
    auditRoutes,
    adminRoutes,
    variableRoutes,
    usageRoutes,
    ...(opts.webhooks === false ? [] : [opts.webhooks ?? hooksRoutes]),
    ...(opts.routes ?? []),
  ]) {
    await fastify.register(routes);
  }
}

function logMailer(fastify: FastifyInstance): MailSender {
  return {
    async send(mail) {
      fastify.log.info({ mail }, 'email (no mailer configured: written to the log)');
    },
  };
}

function installMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    fastify.metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

// Like fastify-plugin: the decorations, hooks and error handler apply to the parent instance.
(app as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export default app;
export { app };
