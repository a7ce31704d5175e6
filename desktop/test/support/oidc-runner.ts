/**
 * A real runner that offers sign-in with a real OpenID Connect provider (panva's oidc-provider
 * on 127.0.0.1, as the runner's own OIDC tests use it) and accepts the desktop's loopback
 * redirect URI on any port.
 */
import { startTestIdp } from '../../../runner/test/identity/support/test-idp';
import type { TestIdp } from '../../../runner/test/identity/support/test-idp';
import { OIDC_REDIRECT_PATH } from '../../main/runner/oidc-sign-in';
import { freePort, startRunnerStack } from './runner-stack';
import type { RunnerStack } from './runner-stack';

export interface OidcRunner {
  runner: RunnerStack;
  idp: TestIdp;
  close(): Promise<void>;
}

export async function startOidcRunner(): Promise<OidcRunner> {
  const port = await freePort();
  const idp = await startTestIdp([`http://127.0.0.1:${port}/v1/auth/oidc/corp/callback`]);
  const runner = await startRunnerStack({
    port,
    env: {
      MAESTRO_OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'corp',
          name: 'Corp SSO',
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
        },
      ]),
      MAESTRO_OIDC_REDIRECT_URIS: `http://127.0.0.1${OIDC_REDIRECT_PATH}`,
    },
  });
  return {
    runner,
    idp,
    async close() {
      await runner.close();
      await idp.close();
    },
  };
}
