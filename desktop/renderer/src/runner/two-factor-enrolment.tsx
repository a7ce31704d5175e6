import { useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { useFormAction } from '../ui/use-form-action';
import { ContinueInBrowser } from './continue-in-browser';
import { QrCode } from './qr-code';
import { RecoveryCodes } from './recovery-codes';
import type { RunnerProfile } from './runner-store';
import type { OidcProvider } from './use-oidc-providers';
import { useOidcProviders } from './use-oidc-providers';

type Enrolment = RouterOutputs['runner']['profiles']['twoFactor']['enrolWithPassword'];

type Step =
  | { kind: 'reauth' }
  | { kind: 'step-up'; flowId: string; authorizationUrl: string; provider: OidcProvider }
  | { kind: 'scan'; enrolment: Enrolment }
  | { kind: 'codes'; codes: string[] };

/**
 * TOTP enrolment: confirm it is you (password, or a new sign-in at the identity provider for an
 * account without one), scan the QR code or type the key, confirm with a first code, store the
 * recovery codes. The key and the codes live only in this component's state.
 */
export function TwoFactorEnrolment({
  profile,
  onEnabled,
  onClose,
}: {
  profile: RunnerProfile;
  /** Two-factor authentication is on (the recovery codes are showing). */
  onEnabled: () => void;
  /** Canceled, or finished with the recovery codes stored. */
  onClose: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'reauth' });
  if (step.kind === 'codes')
    return <RecoveryCodes profile={profile} codes={step.codes} onDone={onClose} />;
  if (step.kind === 'scan')
    return (
      <ScanAndConfirm
        profile={profile}
        enrolment={step.enrolment}
        onConfirmed={(codes) => {
          setStep({ kind: 'codes', codes });
          onEnabled();
        }}
        onCancel={onClose}
      />
    );
  return (
    <Reauthenticate
      profile={profile}
      onEnrolment={(enrolment) => setStep({ kind: 'scan', enrolment })}
      onCancel={onClose}
    />
  );
}

function Reauthenticate({
  profile,
  onEnrolment,
  onCancel,
}: {
  profile: RunnerProfile;
  onEnrolment: (enrolment: Enrolment) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<Extract<Step, { kind: 'step-up' }> | null>(null);
  const [stepUpProblem, setStepUpProblem] = useState<string | null>(null);
  // The step-up in flight: canceled on unmount; tells a cancel from a failure.
  const { providers, current } = useOidcProviders(profile);
  const id = (name: string) => `enrol-${profile.id}-${name}`;

  const passwordForm = useFormAction(async () => {
    const enrolment = await api.runner.profiles.twoFactor.enrolWithPassword.mutate({
      profileId: profile.id,
      password,
    });
    setPassword('');
    onEnrolment(enrolment);
  });

  const stepUp = async (provider: OidcProvider) => {
    setStepUpProblem(null);
    passwordForm.setProblem(null);
    let flowId: string | null = null;
    try {
      const started = await api.runner.profiles.twoFactor.startStepUp.mutate({
        profileId: profile.id,
        providerId: provider.id,
      });
      if (!started.openedInBrowser)
        window.open(started.authorizationUrl, '_blank', 'noopener,noreferrer');
      flowId = current.current = started.flowId;
      setPending({ kind: 'step-up', ...started, provider });
      const enrolment = await api.runner.profiles.twoFactor.enrolWithStepUp.mutate({
        flowId: started.flowId,
      });
      current.current = null;
      onEnrolment(enrolment);
    } catch (error) {
      if (flowId !== null && current.current !== flowId) return; // canceled by the person
      current.current = null;
      setPending(null);
      setStepUpProblem(errorMessage(error));
    }
  };

  const cancelStepUp = async () => {
    const flowId = current.current;
    current.current = null;
    setPending(null);
    if (flowId) await api.runner.profiles.oidc.cancel.mutate({ flowId }).catch(() => undefined);
  };

  if (pending)
    return (
      <div className="two-factor-step">
        <ContinueInBrowser
          providerName={pending.provider.name}
          again
          authorizationUrl={pending.authorizationUrl}
          onCancel={() => void cancelStepUp()}
        />
      </div>
    );
  return (
    <div className="two-factor-step">
      <form className="form" onSubmit={passwordForm.onSubmit} aria-labelledby={id('title')}>
        <p id={id('title')} className="hint">
          To set up two-factor authentication, first confirm it is you.
        </p>
        <TextField
          id={id('password')}
          label="Your password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoFocus
        />
        <FormFooter
          problem={passwordForm.problem}
          submitLabel="Continue"
          busyLabel="Checking…"
          busy={passwordForm.busy}
          primary
        >
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </FormFooter>
      </form>
      {providers.length > 0 && (
        <div role="group" aria-labelledby={id('sso')}>
          <p id={id('sso')} className="muted small">
            No password (you sign in with your organization’s account)? Sign in there again instead:
          </p>
          <div className="form-actions">
            {providers.map((provider) => (
              <button
                key={provider.id}
                type="button"
                className="btn"
                onClick={() => void stepUp(provider)}
              >
                Confirm with {provider.name}
              </button>
            ))}
          </div>
        </div>
      )}
      <ProblemAlert problem={stepUpProblem} />
    </div>
  );
}

function ScanAndConfirm({
  profile,
  enrolment,
  onConfirmed,
  onCancel,
}: {
  profile: RunnerProfile;
  enrolment: Enrolment;
  onConfirmed: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const { busy, problem, onSubmit } = useFormAction(async () => {
    const enabled = await api.runner.profiles.twoFactor.confirm.mutate({
      profileId: profile.id,
      code,
    });
    onConfirmed(enabled.recoveryCodes);
  });
  const id = (name: string) => `scan-${profile.id}-${name}`;
  return (
    <div className="two-factor-step">
      <p className="hint" id={id('how')}>
        Scan this QR code with your authenticator app, or type the key into it. Then enter the code
        it shows.
      </p>
      <QrCode text={enrolment.otpauthUri} label="QR code for your authenticator app" />
      <p className="small">
        Key: <span className="mono secret-key">{groupsOfFour(enrolment.secret)}</span>
      </p>
      <form className="form" onSubmit={onSubmit} aria-label="Confirm your authenticator app">
        <TextField
          id={id('code')}
          label="Code from your app"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
          autoFocus
        />
        <FormFooter
          problem={problem}
          submitLabel="Turn on"
          busyLabel="Checking…"
          busy={busy}
          primary
        >
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </FormFooter>
      </form>
    </div>
  );
}

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`: easier to copy by hand (apps ignore spaces). */
function groupsOfFour(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
