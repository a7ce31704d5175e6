import type { ResolvedConnection, SecretResolver } from '../engine/host';
import { StepError } from '../engine/step-error';

/**
 * A SecretResolver over a fixed set of connections (CLI `--connection`,
 * tests). An unknown connection is the user's error (VALIDATION).
 * @example createStaticSecretResolver({ crm: { headers: { authorization: 'Bearer t' }, secrets: ['Bearer t'] } })
 */
export function createStaticSecretResolver(
  connections: Record<string, ResolvedConnection> = {},
): SecretResolver {
  return {
    resolveConnection(connectionId) {
      if (!Object.hasOwn(connections, connectionId)) {
        return Promise.reject(
          new StepError('VALIDATION', `connection "${connectionId}" does not exist`, {
            retryable: false,
          }),
        );
      }
      return Promise.resolve(connections[connectionId] as ResolvedConnection);
    },
  };
}
