import { useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import { ContinueInBrowser } from './continue-in-browser';
import type { RunnerProfile } from './runner-store';
import { refreshProfiles } from './runner-store';
import { TotpField } from './totp-field';
import type { OidcProvider } from './use-oidc-providers';
import { useOidcProviders } from './use-oidc-providers';

type SignInResult = RouterOutputs['runner']['profiles']['oidc']['finish'];

interface Pending {
  flowId: string;
  provider: OidcProvider;
  authorizationUrl: string;
  askTotp: boolean;
}

/**
 * "Sign in with …" for each identity provider the runner offers. The provider's page opens in
 * the system browser (the main process opens it in Electron; here otherwise), and the main
 * process waits for its answer on a loopback port; the tokens never reach this window.
 */
export function SingleSignOn({ profile }: { profile: RunnerProfile }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [totp, setTotp] = useState('');
  const { providers, current } = useOidcProviders(profile);

  const settle = async (flowId: string, answer: Promise<SignInResult>) => {
    try {
      const result = await answer;
      if (result.status === 'totp-required') {
        setPending((p) => (p && p.flowId === flowId ? { ...p, askTotp: true } : p));
        return;
      }
      current.current = null;
      setPending(null);
      setTotp('');
      showToast({ tone: 'success', message: `Signed in to ${profile.name}.` });
      await refreshProfiles();
    } catch (error) {
      if (current.current !== flowId) return; // canceled by the person
      current.current = null;
      setPending(null);
      setProblem(errorMessage(error));
    }
  };

  const begin = async (provider: OidcProvider) => {
    setProblem(null);
    let started: RouterOutputs['runner']['profiles']['oidc']['start'];
    try {
      started = await api.runner.profiles.oidc.start.mutate({
        profileId: profile.id,
        providerId: provider.id,
      });
    } catch (error) {
      setProblem(errorMessage(error));
      return;
    }
    if (!started.openedInBrowser)
      window.open(started.authorizationUrl, '_blank', 'noopener,noreferrer');
    current.current = started.flowId;
    setPending({ ...started, provider, askTotp: false });
    await settle(
      started.flowId,
      api.runner.profiles.oidc.finish.mutate({ flowId: started.flowId }),
    );
  };

  const cancel = async () => {
    const flowId = current.current;
    current.current = null;
    setPending(null);
    setTotp('');
    if (flowId) await api.runner.profiles.oidc.cancel.mutate({ flowId }).catch(() => undefined);
  };

  const totpForm = useFormAction(async () => {
    if (!pending) return;
    await settle(
      pending.flowId,
      api.runner.profiles.oidc.finish.mutate({ flowId: pending.flowId, totp }),
    );
  });

  if (providers.length === 0) return null;
  const id = (name: string) => `sso-${profile.id}-${name}`;
  return (
    <div className="single-sign-on" role="group" aria-labelledby={id('title')}>
      <p id={id('title')} className="muted small">
        Or sign in with your organization’s account:
      </p>
      {pending === null && (
        <div className="form-actions">
          {providers.map((provider) => (
            <button
              key={provider.id}
              type="button"
              className="btn"
              onClick={() => void begin(provider)}
            >
              Sign in with {provider.name}
            </button>
          ))}
        </div>
      )}
      {pending && !pending.askTotp && (
        <ContinueInBrowser
          providerName={pending.provider.name}
          again={false}
          authorizationUrl={pending.authorizationUrl}
          onCancel={() => void cancel()}
        />
      )}
      {pending?.askTotp && (
        <form
          className="form"
          onSubmit={totpForm.onSubmit}
          aria-label={`Two-factor code for ${profile.name}`}
        >
          <TotpField id={id('totp')} value={totp} onChange={setTotp} />
          <FormFooter
            problem={totpForm.problem}
            submitLabel="Continue"
            busyLabel="Signing in…"
            busy={totpForm.busy}
            primary
          >
            <button type="button" className="btn" onClick={() => void cancel()}>
              Cancel
            </button>
          </FormFooter>
        </form>
      )}
      <ProblemAlert problem={problem} />
    </div>
  );
}
