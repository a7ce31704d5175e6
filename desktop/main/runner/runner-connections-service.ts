import { z } from 'zod';
import {
  ConnectionInfo,
  ConnectionList,
  OAuth2ClientAuth,
  OAuth2Grant,
} from '../../../shared/src/contracts/runner-api';
import type { RunnerConnectionService, RunnerContext } from './runner-connection-service';
import { myPermissions } from './organization-permissions';

// The desktop's inputs carry types and upper bounds only: what a connection must hold (required
// fields, https token URLs, limits' ranges) is the runner's policy, and its problem+json names
// the field at fault (decision 0011).
const Text = (max: number) => z.string().max(max);
const ConnectionId = z.string().min(1).max(100);

/** Static secrets as the runner reads them: `token`, `username` + `password`, `headers`, `query`. */
const Secrets = z.record(Text(100), z.union([Text(10_000), z.record(Text(200), Text(10_000))]));

/** An OAuth 2.0 client and its grant; client secret and refresh token go to the runner only. */
const OAuth2Credentials = z.strictObject({
  tokenUrl: Text(2_000),
  grant: OAuth2Grant,
  clientId: Text(1_000),
  clientSecret: Text(10_000).optional(),
  clientAuth: OAuth2ClientAuth.optional(),
  scope: Text(2_000).optional(),
  refreshToken: Text(10_000).optional(),
});

const RateLimit = z.strictObject({ requests: z.number(), intervalSeconds: z.number() });

export const ConnectionRef = z.strictObject({ connectionId: ConnectionId });
export const NewConnection = z.strictObject({
  name: Text(200),
  kind: Text(100),
  secrets: Secrets.optional(),
  oauth2: OAuth2Credentials.optional(),
  rateLimit: RateLimit.optional(),
});
export type NewConnection = z.infer<typeof NewConnection>;
export const NewCredentials = ConnectionRef.extend({
  secrets: Secrets.optional(),
  oauth2: OAuth2Credentials.optional(),
});
export const RateLimitChange = ConnectionRef.extend({ rateLimit: RateLimit });

/** What the caller's role lets them do with connections (the runner enforces it anyway). */
export interface ConnectionAbilities {
  canWrite: boolean;
}

const enc = encodeURIComponent;

/**
 * The runner's connections (credentials of published workflows' `auth: { connection }`,
 * decision 0017) in the organization in use, for operators: their status, OAuth 2.0 clients,
 * re-authorization, forced refreshes and rate limits. Secrets pass through to the runner in one
 * request and are kept nowhere here; the runner never sends them back.
 */
export class RunnerConnectionsService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async list(): Promise<ConnectionInfo[]> {
    const { items } = await this.send({ method: 'GET', path: '/v1/connections' }, ConnectionList);
    return items;
  }

  async get(connectionId: string): Promise<ConnectionInfo> {
    return this.send({ method: 'GET', path: this.path(connectionId) }, ConnectionInfo);
  }

  /**
   * Whether the caller's role (the runner's role table, so custom roles count) may change
   * connections. A role that cannot read the roles is not told no: the runner will say.
   */
  async abilities(): Promise<ConnectionAbilities> {
    const permissions = await myPermissions(this.connections);
    return { canWrite: permissions?.has('connectors:write') ?? true };
  }

  async create(input: NewConnection): Promise<ConnectionInfo> {
    return this.send({ method: 'POST', path: '/v1/connections', body: input }, ConnectionInfo);
  }

  /** Replaces the credentials: how an operator authorizes an OAuth 2.0 connection again. */
  async replaceCredentials(input: z.infer<typeof NewCredentials>): Promise<ConnectionInfo> {
    const { connectionId, ...body } = input;
    return this.send(
      { method: 'PUT', path: `${this.path(connectionId)}/secrets`, body },
      ConnectionInfo,
    );
  }

  /** Refreshes an OAuth 2.0 token now; the answer's `status` and `lastError` are the outcome. */
  async refresh(connectionId: string): Promise<ConnectionInfo> {
    return this.send(
      { method: 'POST', path: `${this.path(connectionId)}/refresh` },
      ConnectionInfo,
    );
  }

  async setRateLimit(input: z.infer<typeof RateLimitChange>): Promise<ConnectionInfo> {
    return this.send(
      {
        method: 'PUT',
        path: `${this.path(input.connectionId)}/rate-limit`,
        body: { rateLimit: input.rateLimit },
      },
      ConnectionInfo,
    );
  }

  async removeRateLimit(connectionId: string): Promise<ConnectionInfo> {
    return this.send(
      { method: 'DELETE', path: `${this.path(connectionId)}/rate-limit` },
      ConnectionInfo,
    );
  }

  async remove(connectionId: string): Promise<void> {
    await this.send({ method: 'DELETE', path: this.path(connectionId) }, z.null());
  }

  private path(connectionId: string): string {
    return `/v1/connections/${enc(connectionId)}`;
  }

  private send<T extends z.ZodType>(
    request: Parameters<RunnerContext['send']>[0],
    schema: T,
  ): Promise<z.infer<T>> {
    return this.connections.context().send(request, schema);
  }
}
