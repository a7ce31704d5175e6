import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { SelectField, TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { runWithToast } from '../ui/toast-action';
import { useFormAction } from '../ui/use-form-action';
import { AccountSecuritySection } from './account-security-section';
import { AlertSettingsSection } from './alert-settings-section';
import type { RunnerProfile } from './runner-store';
import { activeProfile, refreshProfiles, useRunner } from './runner-store';
import { SignInForm } from './sign-in-form';
import { twoFactorStore } from './two-factor-required';

type Organizations = RouterOutputs['runner']['profiles']['organizations'];

/** Runner profiles: where to publish, who is signed in, which organization. */
export function RunnerPage() {
  const profiles = useRunner((s) => s.profiles);
  const problem = useRunner((s) => s.problem);
  const active = useRunner(activeProfile);
  // Turning 2FA on lifts the runner's refusal of an admin: the sections it refused read again.
  const twoFactorChanges = useStore(twoFactorStore, (s) => s.changes);
  useEffect(() => void refreshProfiles(), []);
  return (
    <main className="page" aria-labelledby="runner-title">
      <h1 id="runner-title">Runner</h1>
      <p className="muted">
        Publish workflows to a Maestro runner, where they run on their triggers. Your session is
        kept in the OS keychain; this window never sees a token.
      </p>
      <ProblemAlert problem={problem} />
      {profiles.map((profile) => (
        <ProfileCard key={profile.id} profile={profile} />
      ))}
      {active?.signedIn && active.organizationId && (
        <AlertSettingsSection
          key={`${active.id}:${active.organizationId}:${twoFactorChanges}`}
          profile={active}
        />
      )}
      <NewProfileForm first={profiles.length === 0} />
    </main>
  );
}

function ProfileCard({ profile }: { profile: RunnerProfile }) {
  const headingId = `profile-${profile.id}`;
  const act = async (run: () => Promise<unknown>, done: string) => {
    await runWithToast(run, done, 'info');
    await refreshProfiles();
  };
  return (
    <section className="settings-block runner-profile" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {profile.name} {profile.active && <span className="badge badge-success">in use</span>}
      </h2>
      <p className="small">
        <span className="mono">{profile.baseUrl}</span> ·{' '}
        <span data-testid="runner-session">
          {profile.signedIn ? `Signed in as ${profile.email ?? 'you'}` : 'Not signed in'}
        </span>
      </p>
      {profile.signedIn ? (
        <>
          <OrganizationPicker profile={profile} />
          <AccountSecuritySection profile={profile} />
        </>
      ) : (
        <SignInForm profile={profile} />
      )}
      <div className="form-actions">
        {!profile.active && (
          <button
            type="button"
            className="btn"
            onClick={() =>
              void act(
                () => api.runner.profiles.setActive.mutate({ profileId: profile.id }),
                `Publishing to ${profile.name} from now on.`,
              )
            }
          >
            Use this runner
          </button>
        )}
        {profile.signedIn && (
          <button
            type="button"
            className="btn"
            onClick={() =>
              void act(
                () => api.runner.profiles.signOut.mutate({ profileId: profile.id }),
                `Signed out of ${profile.name}.`,
              )
            }
          >
            Sign out
          </button>
        )}
        <button
          type="button"
          className="btn btn-danger"
          aria-label={`Remove runner ${profile.name}`}
          onClick={() =>
            void act(
              () => api.runner.profiles.delete.mutate({ profileId: profile.id }),
              `Removed ${profile.name}.`,
            )
          }
        >
          Remove
        </button>
      </div>
    </section>
  );
}

function OrganizationPicker({ profile }: { profile: RunnerProfile }) {
  const [organizations, setOrganizations] = useState<Organizations | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  useEffect(() => {
    api.runner.profiles.organizations
      .query({ profileId: profile.id })
      .then(setOrganizations, (error: unknown) => setProblem(failureOf(error)));
  }, [profile.id, profile.organizationId]);
  const choose = async (organizationId: string) => {
    try {
      await api.runner.profiles.selectOrganization.mutate({
        profileId: profile.id,
        organizationId,
      });
      await refreshProfiles();
    } catch (error) {
      setProblem(failureOf(error));
    }
  };
  const selectId = `org-${profile.id}`;
  if (problem) return <ProblemAlert problem={problem} />;
  if (organizations === null) return <p className="muted">Loading organizations…</p>;
  if (organizations.length === 0)
    return (
      <p className="hint">
        You belong to no organization on this runner yet: create one on the Organizations page.
      </p>
    );
  return (
    <SelectField
      id={selectId}
      label="Organization"
      value={profile.organizationId ?? ''}
      onChange={(e) => void choose(e.target.value)}
    >
      {!profile.organizationId && <option value="">Choose an organization…</option>}
      {organizations.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name} ({o.role})
        </option>
      ))}
    </SelectField>
  );
}

function NewProfileForm({ first }: { first: boolean }) {
  const [name, setName] = useState(first ? 'My runner' : '');
  const [baseUrl, setBaseUrl] = useState('');
  const { busy, problem, onSubmit } = useFormAction(async () => {
    await api.runner.profiles.create.mutate({ name, baseUrl });
    setName('');
    setBaseUrl('');
    await refreshProfiles();
  });
  return (
    <section aria-labelledby="new-runner-title">
      <h2 id="new-runner-title">Add a runner</h2>
      <form className="form" onSubmit={onSubmit} aria-labelledby="new-runner-title">
        <TextField
          id="runner-name"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <TextField
          id="runner-url"
          label="Runner URL"
          type="url"
          placeholder="https://runner.example.com"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          required
        />
        <FormFooter
          problem={problem}
          submitLabel="Add runner"
          busyLabel="Adding…"
          busy={busy}
          primary
        />
      </form>
    </section>
  );
}
