import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { HttpProblem, titleOf, type Problem } from './problem';

const CONTEXT_PREFIX: Record<string, string> = {
  body: '',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** `/definition/nodes/2/config/url` → `definition.nodes[2].config.url` (the spec's path style). */
export function toJsonPath(instancePath: string, context = 'body'): string {
  let out = CONTEXT_PREFIX[context] ?? context;
  for (const segment of instancePath.split('/').filter(Boolean)) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers: Record<string, string> = {},
) {
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
}

/** One place maps every error to problem+json; unexpected errors are logged and answered as a bare 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpProblem) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendProblem(reply, error.toProblem(), error.headers);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        path: toJsonPath(v.instancePath, error.validationContext),
        message: v.message ?? 'invalid',
      }));
      return sendProblem(reply, problem(400, 'the request is not valid', errors));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      const headers: Record<string, string> = {};
      if (status === 429) {
        const retryAfter = reply.getHeader('retry-after');
        headers['retry-after'] = String(retryAfter ?? 60);
      }
      return sendProblem(reply, problem(status, clientMessage(error)), headers);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(reply, problem(500, 'an unexpected error occurred; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/**
 * Errors the router raises before any route or hook runs (a malformed percent-encoding, a path
 * parameter over 100 characters): Fastify's `frameworkErrors` option, so they are problem+json
 * like every other answer instead of Fastify's own JSON shape.
 */
export function frameworkErrorReply(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
) {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const detail =
    status === 414
      ? 'a path parameter is longer than the server accepts'
      : 'the URL is not valid (malformed percent-encoding)';
  return sendProblem(reply, problem(status, detail));
}

function problem(status: number, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: `https://maestro.dev/problems/${status}`,
    title: titleOf(status),
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is larger than the server accepts';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send JSON (Content-Type: application/json)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the JSON body is empty';
    default:
      return error.message;
  }
}
