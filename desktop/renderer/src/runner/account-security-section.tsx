import { useCallback, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import type { RunnerProfile } from './runner-store';
import { TwoFactorEnrolment } from './two-factor-enrolment';
import {
  noteTwoFactorChanged,
  TWO_FACTOR_SETUP_LABEL,
  twoFactorStore,
} from './two-factor-required';

type Status = RouterOutputs['runner']['profiles']['twoFactor']['status'];

/** Fewer recovery codes than this left: say how to get new ones. */
const FEW_CODES = 3;

/**
 * The signed-in user's two-factor authentication on this runner: on or off, set it up, turn it
 * off. Organization and platform administrators must have it on before the runner lets them act.
 */
export function AccountSecuritySection({ profile }: { profile: RunnerProfile }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [mode, setMode] = useState<'idle' | 'enrol' | 'disable'>('idle');
  // On since this enrolment's confirmation: the recovery codes are still showing.
  const [enabledNow, setEnabledNow] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const requested = useStore(twoFactorStore, (s) => s.requested);

  const load = useCallback(async () => {
    try {
      setStatus(await api.runner.profiles.twoFactor.status.query({ profileId: profile.id }));
      setProblem(null);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, [profile.id]);
  useEffect(() => void load(), [load]);

  // Sent here from an "enable two-factor authentication first" refusal: show where, and start.
  useEffect(() => {
    if (!requested || !profile.active || !status) return;
    twoFactorStore.setState({ requested: false });
    headingRef.current?.scrollIntoView({ block: 'start' });
    headingRef.current?.focus();
    if (!status.enabled) setMode('enrol');
  }, [requested, profile.active, status]);

  const close = () => {
    setMode('idle');
    setEnabledNow(false);
    headingRef.current?.focus();
  };
  const id = `security-${profile.id}`;
  return (
    <section className="account-security" aria-labelledby={id}>
      <h3 id={id} ref={headingRef} tabIndex={-1}>
        Account security
      </h3>
      {status ? (
        <p data-testid="two-factor-status">
          Two-factor authentication:{' '}
          <span className={status.enabled ? 'badge badge-success' : 'badge badge-idle'}>
            {status.enabled ? 'On' : 'Off'}
          </span>
          {status.enabled && ` · ${status.recoveryCodesLeft} recovery codes left`}
        </p>
      ) : (
        !problem && <p className="muted">Loading…</p>
      )}
      <ProblemAlert problem={problem} />
      {status?.enabled && status.recoveryCodesLeft < FEW_CODES && mode === 'idle' && (
        <p className="hint hint-warn">
          Few recovery codes left: turn two-factor authentication off and on again for new ones.
        </p>
      )}
      {status && !status.enabled && mode === 'idle' && (
        <p className="hint">
          A code from an authenticator app at each sign-in. Organization and platform administrators
          must turn it on before the runner lets them act.
        </p>
      )}
      {status && (!status.enabled || enabledNow) && mode === 'enrol' && (
        <TwoFactorEnrolment
          profile={profile}
          onEnabled={() => {
            setEnabledNow(true);
            noteTwoFactorChanged();
            void load();
          }}
          onClose={close}
        />
      )}
      {status?.enabled && mode === 'disable' && (
        <DisableTwoFactor
          profile={profile}
          onDisabled={() => {
            close();
            noteTwoFactorChanged();
            void load();
          }}
          onCancel={close}
        />
      )}
      {status && mode === 'idle' && (
        <div className="form-actions">
          {status.enabled ? (
            <button type="button" className="btn" onClick={() => setMode('disable')}>
              Turn off two-factor authentication
            </button>
          ) : (
            <button type="button" className="btn btn-primary" onClick={() => setMode('enrol')}>
              {TWO_FACTOR_SETUP_LABEL}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function DisableTwoFactor({
  profile,
  onDisabled,
  onCancel,
}: {
  profile: RunnerProfile;
  onDisabled: () => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const { busy, problem, onSubmit } = useFormAction(async () => {
    await api.runner.profiles.twoFactor.disable.mutate({ profileId: profile.id, code });
    showToast({ tone: 'info', message: `Two-factor authentication is off on ${profile.name}.` });
    onDisabled();
  });
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Turn off two-factor authentication">
      <TextField
        id={`disable-2fa-${profile.id}`}
        label="Code from your app, or a recovery code"
        hint="Administrators cannot act in their organizations while it is off."
        autoComplete="one-time-code"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        required
        autoFocus
      />
      <FormFooter problem={problem} submitLabel="Turn off" busyLabel="Turning off…" busy={busy}>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </FormFooter>
    </form>
  );
}
