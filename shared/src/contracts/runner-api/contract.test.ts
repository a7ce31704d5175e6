/**
 * The contract against the fixed points of runner-api-v1.md and workflow-v1.md, with the
 * examples those documents give.
 */
import { describe, expect, it } from 'vitest';
import {
  ConnectionInfo,
  ExecutionDetail,
  ExecutionStatus,
  OidcClientRedirect,
  Problem,
  Published,
  StartedExecution,
  Tokens,
} from './index';

// workflow-v1.md "Run result", as the runner serves it with its ids.
const runResult = {
  status: 'failed',
  startedAt: '2026-11-23T10:00:00.000Z',
  finishedAt: '2026-11-23T10:00:00.120Z',
  steps: {
    order: { status: 'success', attempts: 1, output: { body: { total: 150 } }, durationMs: 0 },
    isBig: {
      status: 'success',
      attempts: 1,
      output: { result: true },
      port: 'true',
      durationMs: 1,
    },
    notify: {
      status: 'failed',
      attempts: 3,
      error: { code: 'HTTP_STATUS', message: 'POST http://… returned 503' },
      durationMs: 640,
    },
  },
  error: { step: 'notify', code: 'HTTP_STATUS', message: 'POST http://… returned 503' },
};
const ids = {
  id: 'e1',
  workflowId: 'w1',
  version: 2,
  versionId: 'v2',
  trigger: 'webhook',
  attempt: 1,
  createdAt: '2026-11-23T09:59:59.900Z',
  cancelRequestedAt: null,
};

describe('runner API contract', () => {
  it('serves the run result of workflow-v1.md plus id, workflowId and version', () => {
    const parsed = ExecutionDetail.parse({ ...runResult, ...ids });
    expect(parsed).toMatchObject({ ...runResult, id: 'e1', workflowId: 'w1', version: 2 });
    expect(ExecutionDetail.safeParse({ ...runResult, ...ids, status: 'done' }).success).toBe(false);
    expect(
      ExecutionDetail.safeParse({ ...runResult, ...ids, error: { code: 'OOPS', message: 'x' } })
        .success,
    ).toBe(false);
  });

  it('knows the run statuses of workflow-v1.md, no more', () => {
    expect(ExecutionStatus.options).toEqual([
      'pending',
      'running',
      'success',
      'failed',
      'canceled',
    ]);
  });

  it('errors are problem+json: type, title, status, detail, optional errors with paths', () => {
    const problem = {
      type: 'https://maestro.dev/problems/400',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is not valid',
      errors: [{ path: 'definition.nodes[2].config.url', message: 'required' }],
    };
    expect(Problem.parse(problem)).toEqual(problem);
    const { errors: _errors, ...withoutErrors } = problem;
    expect(Problem.parse(withoutErrors)).toEqual(withoutErrors);
    const { detail: _detail, ...withoutDetail } = problem;
    expect(Problem.safeParse(withoutDetail).success).toBe(false);
  });

  it('login, publish and start answer the shapes the spec fixes', () => {
    expect(
      Tokens.parse({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, tokenType: 'Bearer' }),
    ).toMatchObject({ accessToken: 'a', refreshToken: 'r', expiresIn: 900 });
    const published = Published.parse({
      id: 'w1',
      version: 1,
      versionId: 'v1',
      webhook: {
        token: 't',
        url: 'https://r/v1/hooks/t',
        method: 'POST',
        respond: 'immediately',
        signed: false,
      },
    });
    expect(published.webhook).toMatchObject({ token: 't', url: 'https://r/v1/hooks/t' });
    expect(StartedExecution.safeParse({ id: 'e1', status: 'running' }).success).toBe(false);
  });

  it('an OIDC client redirect carries a code or an error (RFC 6749 §4.1.2), never neither', () => {
    expect(OidcClientRedirect.parse({ code: 'c', state: 's', iss: 'x' })).toEqual({
      code: 'c',
      state: 's',
    });
    expect(
      OidcClientRedirect.parse({ error: 'access_denied', error_description: 'no', state: 's' }),
    ).toEqual({ error: 'access_denied', error_description: 'no', state: 's' });
    expect(OidcClientRedirect.safeParse({ state: 's' }).success).toBe(false);
  });

  it('a newer runner’s extra fields are dropped, not refused', () => {
    expect(
      StartedExecution.parse({ id: 'e1', status: 'pending', queuedAt: '2026-11-23T10:00:00Z' }),
    ).toEqual({ id: 'e1', status: 'pending' });
  });

  it('a connection has one of the three statuses of decision 0017 and never carries a secret', () => {
    const connection = {
      id: 'c1',
      name: 'crm',
      kind: 'oauth2',
      connectorId: null,
      secretFields: ['clientId', 'refreshToken'],
      oauth2: { tokenUrl: 'https://t', grant: 'refresh_token', scope: null, clientAuth: 'basic' },
      status: 'needs_reauthorization',
      expiresAt: null,
      lastRefreshedAt: null,
      lastError: 'token endpoint answered 400 invalid_grant',
      rateLimit: { requests: 10, intervalSeconds: 60 },
      createdAt: '2026-11-23T10:00:00.000Z',
    };
    expect(ConnectionInfo.parse(connection)).toEqual(connection);
    expect(ConnectionInfo.safeParse({ ...connection, status: 'expired' }).success).toBe(false);
    // Were a runner ever to send values, the parsed connection would not hold them.
    expect(ConnectionInfo.parse({ ...connection, secrets: { token: 't' } })).not.toHaveProperty(
      'secrets',
    );
  });
});
