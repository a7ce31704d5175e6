import type { FormEvent } from 'react';
import { useState } from 'react';
import { api, errorMessage } from '../api/trpc-client';
import { showToast } from '../ui/toast-store';
import type { RunnerProfile } from './runner-store';
import { refreshProfiles } from './runner-store';
import { ProblemAlert } from '../ui/problem-alert';

/** Email + password, then the authenticator code when the runner asks for one. */
export function SignInForm({ profile }: { profile: RunnerProfile }) {
  const [email, setEmail] = useState(profile.email ?? '');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [askTotp, setAskTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const result = await api.runner.profiles.signIn.mutate({
        profileId: profile.id,
        email,
        password,
        ...(askTotp && totp ? { totp } : {}),
      });
      if (result.status === 'totp-required') {
        setAskTotp(true);
        return;
      }
      setPassword('');
      setTotp('');
      setAskTotp(false);
      showToast({ tone: 'success', message: `Signed in to ${profile.name}.` });
      await refreshProfiles();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const id = (name: string) => `signin-${profile.id}-${name}`;
  return (
    <form
      className="form"
      onSubmit={(e) => void submit(e)}
      aria-label={`Sign in to ${profile.name}`}
    >
      <div className="field">
        <label className="field-label" htmlFor={id('email')}>
          Email
        </label>
        <input
          id={id('email')}
          className="input"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={id('password')}>
          Password
        </label>
        <input
          id={id('password')}
          className="input"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </div>
      {askTotp && (
        <div className="field">
          <label className="field-label" htmlFor={id('totp')}>
            Two-factor code
          </label>
          <input
            id={id('totp')}
            className="input"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
            aria-describedby={id('totp-hint')}
            required
            autoFocus
          />
          <p className="hint" id={id('totp-hint')}>
            This account uses two-factor authentication: enter the code from your authenticator app
            (or a recovery code).
          </p>
        </div>
      )}
      <ProblemAlert problem={problem} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
