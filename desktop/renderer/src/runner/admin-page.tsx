import { useCallback, useEffect, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { runWithToast } from '../ui/toast-action';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import { activeProfile, refreshProfiles, useRunner } from './runner-store';
import { Invitations } from './invitations-section';
import { WorkflowAccessSection } from './workflow-access-section';

type Organizations = RouterOutputs['runner']['admin']['organizations'];
type Members = RouterOutputs['runner']['admin']['members'];
type Role = Members['roles'][number];

/** Organizations and their members on the runner in use. Owners and admins manage; members read. */
export function AdminPage() {
  const profile = useRunner(activeProfile);
  const [organizations, setOrganizations] = useState<Organizations | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);

  useEffect(() => void refreshProfiles(), []);
  const refresh = useCallback(async () => {
    try {
      const list = await api.runner.admin.organizations.query();
      setOrganizations(list);
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh, profile?.id, profile?.signedIn]);

  const current = selected ?? profile?.organizationId ?? organizations?.[0]?.id ?? null;
  return (
    <main className="page" aria-labelledby="admin-title">
      <h1 id="admin-title">Organizations</h1>
      <p className="muted">
        {profile ? `On ${profile.name}.` : 'Set up a runner on the Runner page first.'}
      </p>
      <ProblemAlert problem={problem} />
      {organizations && (
        <section aria-labelledby="orgs-title">
          <h2 id="orgs-title">Your organizations</h2>
          {organizations.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <table className="table" data-testid="organizations">
              <TableHead columns={['Name', 'Your role']} actions />
              <tbody>
                {organizations.map((o) => (
                  <tr key={o.id} aria-current={o.id === current ? 'true' : undefined}>
                    <th scope="row">{o.name}</th>
                    <td>{o.role}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => setSelected(o.id)}
                        aria-label={`Members of ${o.name}`}
                      >
                        Members
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <NewOrganizationForm
            onCreated={async () => {
              await refresh();
              await refreshProfiles();
            }}
          />
        </section>
      )}
      {current && organizations?.some((o) => o.id === current) && (
        <MembersSection
          key={current}
          organizationId={current}
          name={organizations.find((o) => o.id === current)?.name ?? ''}
        />
      )}
    </main>
  );
}

function NewOrganizationForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const { busy, problem, onSubmit } = useFormAction(async () => {
    await api.runner.admin.createOrganization.mutate({ name });
    showToast({ tone: 'success', message: `Created ${name}; you are its owner.` });
    setName('');
    await onCreated();
  });
  return (
    <form className="form form-inline" onSubmit={onSubmit} aria-label="Create an organization">
      <TextField
        id="new-org-name"
        label="New organization"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <FormFooter
        problem={problem}
        submitLabel="Create organization"
        busyLabel="Creating…"
        busy={busy}
      />
    </form>
  );
}

function MembersSection({ organizationId, name }: { organizationId: string; name: string }) {
  const [members, setMembers] = useState<Members | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const refresh = useCallback(async () => {
    try {
      setMembers(await api.runner.admin.members.query({ organizationId }));
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, [organizationId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const act = async (run: () => Promise<unknown>, done: string) => {
    await runWithToast(run, done);
    await refresh();
  };
  const canManage = members?.canManage ?? false;
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members of {name}</h2>
      {members && !canManage && (
        <p className="hint" data-testid="members-read-only">
          Read-only: your role does not manage members and roles.
        </p>
      )}
      <ProblemAlert problem={problem} />
      {members && (
        <table className="table" data-testid="members">
          <TableHead columns={['Name', 'Email', 'Role', 'Joined']} actions={canManage} />
          <tbody>
            {members.items.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.name}</th>
                <td>{m.email}</td>
                <td>
                  {canManage ? (
                    <select
                      className="input"
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) =>
                        void act(
                          () =>
                            api.runner.admin.changeRole.mutate({
                              organizationId,
                              userId: m.id,
                              role: e.target.value,
                            }),
                          `${m.email} is now ${roleName(members.roles, e.target.value)}.`,
                        )
                      }
                    >
                      {members.roles.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    (m.roleName ?? m.role)
                  )}
                </td>
                <td>{new Date(m.joinedAt).toLocaleDateString()}</td>
                {canManage && (
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={`Remove ${m.email}`}
                      onClick={() =>
                        void act(
                          () =>
                            api.runner.admin.removeMember.mutate({ organizationId, userId: m.id }),
                          `Removed ${m.email}.`,
                        )
                      }
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage && members && (
        <Invitations organizationId={organizationId} roles={members.roles} />
      )}
      {members && (
        <WorkflowAccessSection
          organizationId={organizationId}
          members={members.items}
          canShare={members.canShare}
        />
      )}
    </section>
  );
}

const roleName = (roles: Role[], id: string) => roles.find((r) => r.id === id)?.name ?? id;
