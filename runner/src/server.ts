import { randomUUID } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import app, { type AppOptions } from './app';
import { frameworkErrorReply } from './http/error-handler';
import { httpsOptions, reloadCertificate, type TlsConfig } from './config/tls';
import { loggerOptions } from './observability/logger';

export interface ServerOptions extends AppOptions {
  /** false silences request logs (tests); default: pino at config.logLevel. */
  logger?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The API process's Fastify instance (not listening yet): HTTP or HTTPS, request ids, body
 * limit, proxy trust, pino with redaction, then the app plugin. (main.ts logs config.warnings once per process.)
 * @example const server = await buildServer({ config, orm }); await server.listen({ host: config.host, port: config.port });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  // With MAESTRO_TLS_* the process serves HTTPS itself (TLS 1.2+ by default); else plain HTTP.
  const https = config.tls ? { https: httpsOptions(config.tls) } : {};
  const server = Fastify({
    ...https,
    logger: options.logger === false ? false : loggerOptions(config.logLevel, { role: 'api' }),
    bodyLimit: config.bodyLimit,
    // Named proxies only, when listed: X-Forwarded-For from anyone else is ignored.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: frameworkErrorReply,
  }).withTypeProvider<ZodTypeProvider>();

  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await server.register(app, options);
  if (config.tls) installCertificateReload(server, config.tls);
  return server;
}

/**
 * SIGHUP re-reads MAESTRO_TLS_CERT_FILE / MAESTRO_TLS_KEY_FILE (a renewed certificate) without a
 * restart, as nginx and HAProxy do: renewal tools (certbot's deploy hook, cert-manager sidecars,
 * systemd's ExecReload) send it after writing both files. A signal, not a file watch, because
 * the two files are written one after the other: a watcher could load a new certificate with
 * the old key. Files that cannot be used are logged and the current certificate stays.
 */
function installCertificateReload(server: FastifyInstance, tls: TlsConfig): void {
  const reload = () => {
    try {
      const loaded = reloadCertificate(server.server as unknown as TlsServer, tls);
      server.log.info({ certificate: loaded }, 'TLS certificate reloaded (SIGHUP)');
    } catch (error) {
      server.log.error(
        { err: error },
        'TLS certificate reload failed: still serving the previous certificate',
      );
    }
  };
  process.on('SIGHUP', reload);
  server.addHook('onClose', async () => {
    process.off('SIGHUP', reload);
  });
}
