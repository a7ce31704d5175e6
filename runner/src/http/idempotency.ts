import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { withOrgContext } from '../db/org-context';
import { sendProblem } from './error-handler';
import { HttpProblem } from './problem';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IN_PROGRESS = 0;
/** A key is remembered this long; after that it may be reused (and its row pruned). */
export const KEY_TTL_HOURS = 24;
/** A reservation never completed (the process died mid-request) is taken over after this. */
export const ABANDONED_AFTER_SECONDS = 120;

/** Stable JSON (sorted keys) so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `Idempotency-Key` on organization-scoped mutations: the first request reserves the key
 * (a row with status 0), its response is stored; a repeat with the same body gets that
 * response again, with a different body 409, while the first is still running 409.
 * 5xx and 429 responses release the key so the client can retry.
 */
export function installIdempotency(app: FastifyInstance): void {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    const clientKey = request.headers['idempotency-key'];
    if (typeof clientKey !== 'string' || !MUTATIONS.has(request.method) || !request.org) return;
    if (clientKey.length === 0 || clientKey.length > 200) {
      throw new HttpProblem(400, 'Idempotency-Key must be 1 to 200 characters');
    }
    const recordKey =
      `${request.method} ${request.routeOptions.url} ${hash(request.url)} ${clientKey}`.slice(
        0,
        255,
      );
    const requestHash = hash(canonical(request.body ?? null));
    const orgId = request.org.id;
    const existing = await withOrgContext(app.orm, orgId, async (em) => {
      const inserted = await em.execute(
        `insert into idempotency_records (organization_id, key, request_hash, status_code, response)
         values (?, ?, ?, ${IN_PROGRESS}, null)
         on conflict (organization_id, key) do update
           set request_hash = excluded.request_hash, status_code = ${IN_PROGRESS}, response = null, created_at = now()
           where idempotency_records.created_at < now() - interval '${KEY_TTL_HOURS} hours'
              or (idempotency_records.status_code = ${IN_PROGRESS}
                  and idempotency_records.created_at < now() - interval '${ABANDONED_AFTER_SECONDS} seconds')
         returning key`,
        [orgId, recordKey, requestHash],
      );
      if (inserted.length > 0) return null;
      const [row] = await em.execute(
        'select request_hash, status_code, response from idempotency_records where organization_id = ? and key = ?',
        [orgId, recordKey],
      );
      return row as { request_hash: string; status_code: number; response: unknown };
    });
    if (!existing) {
      request.idempotency = { recordKey, clientKey };
      return;
    }
    if (existing.request_hash !== requestHash) {
      throw new HttpProblem(
        409,
        'this Idempotency-Key was already used with a different request body',
      );
    }
    if (existing.status_code === IN_PROGRESS) {
      throw new HttpProblem(
        409,
        'a request with this Idempotency-Key is still being processed; retry later',
      );
    }
    return replay(reply, existing.status_code, existing.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem || !request.org) return payload;
    const orgId = request.org.id;
    request.idempotency = null;
    // 429 (rate limit, monthly quota) means "not done, retry later": release the key like a 5xx.
    if (reply.statusCode >= 500 || reply.statusCode === 429) {
      await withOrgContext(app.orm, orgId, (em) =>
        em.execute('delete from idempotency_records where organization_id = ? and key = ?', [
          orgId,
          idem.recordKey,
        ]),
      );
      return payload;
    }
    let body: unknown = null;
    if (typeof payload === 'string' && payload.length > 0) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    await withOrgContext(app.orm, orgId, (em) =>
      em.execute(
        'update idempotency_records set status_code = ?, response = ? where organization_id = ? and key = ?',
        [reply.statusCode, JSON.stringify(body), orgId, idem.recordKey],
      ),
    );
    return payload;
  });
}

function replay(reply: FastifyReply, status: number, response: unknown) {
  reply.header('idempotent-replayed', 'true');
  if (status >= 400 && response && typeof response === 'object') {
    return sendProblem(reply, response as Parameters<typeof sendProblem>[1]);
  }
  // Bypass the route's serializer: the stored body was already serialized once.
  return reply
    .code(status)
    .type('application/json')
    .serializer((v: unknown) => JSON.stringify(v))
    .send(response);
}
