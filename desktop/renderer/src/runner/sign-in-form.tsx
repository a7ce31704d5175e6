import { useState } from 'react';
import { api } from '../api/trpc-client';
import { FormFooter } from '../ui/form-footer';
import { TextField } from '../ui/field';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import type { RunnerProfile } from './runner-store';
import { refreshProfiles } from './runner-store';
import { TotpField } from './totp-field';
import { SingleSignOn } from './single-sign-on';

/**
 * Email + password, then the authenticator code when the runner asks for one; or the runner's
 * identity providers ("Sign in with …").
 */
export function SignInForm({ profile }: { profile: RunnerProfile }) {
  const [email, setEmail] = useState(profile.email ?? '');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [askTotp, setAskTotp] = useState(false);

  const { busy, problem, onSubmit } = useFormAction(async () => {
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
  });

  const id = (name: string) => `signin-${profile.id}-${name}`;
  return (
    <>
      <form className="form" onSubmit={onSubmit} aria-label={`Sign in to ${profile.name}`}>
        <TextField
          id={id('email')}
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <TextField
          id={id('password')}
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {askTotp && <TotpField id={id('totp')} value={totp} onChange={setTotp} />}
        <FormFooter
          problem={problem}
          submitLabel="Sign in"
          busyLabel="Signing in…"
          busy={busy}
          primary
        />
      </form>
      <SingleSignOn profile={profile} />
    </>
  );
}
