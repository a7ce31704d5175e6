import type { FormEvent } from 'react';
import { useCallback, useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { showToast } from '../ui/toast-store';
import { ProblemAlert } from '../ui/problem-alert';

type InvitationList = RouterOutputs['runner']['admin']['invitations'];
type Role = RouterOutputs['runner']['admin']['members']['roles'][number];

/** Pending invitations and the form that sends one (an emailed single-use link). */
export function Invitations({ organizationId, roles }: { organizationId: string; roles: Role[] }) {
  const [pending, setPending] = useState<InvitationList | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setPending(await api.runner.admin.invitations.query({ organizationId }));
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, [organizationId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      const sent = await api.runner.admin.invite.mutate({ organizationId, email, role });
      showToast({
        tone: sent.emailSent ? 'success' : 'info',
        message: sent.emailSent
          ? `Invitation sent to ${email}.`
          : `Invitation made for ${email}, but the runner could not send the email.`,
      });
      setEmail('');
      await refresh();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };
  const revoke = async (invitationId: string, to: string) => {
    try {
      await api.runner.admin.revokeInvitation.mutate({ organizationId, invitationId });
      showToast({ tone: 'info', message: `Revoked the invitation of ${to}.` });
    } catch (error) {
      showToast({ tone: 'error', message: errorMessage(error) });
    }
    await refresh();
  };
  return (
    <section aria-labelledby="invitations-title">
      <h3 id="invitations-title" className="section-title">
        Invitations
      </h3>
      {pending && pending.items.length > 0 && (
        <table className="table" data-testid="invitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.items.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.email}</th>
                <td>{i.roleName}</td>
                <td>{new Date(i.expiresAt).toLocaleDateString()}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={`Revoke the invitation of ${i.email}`}
                    onClick={() => void revoke(i.id, i.email)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Send an invitation">
        <div className="field">
          <label className="field-label" htmlFor="invite-email">
            Invite by email
          </label>
          <input
            id="invite-email"
            className="input"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="invite-role">
            Role
          </label>
          <select
            id="invite-role"
            className="input"
            value={role}
            onChange={(e) => setRole(e.target.value)}
          >
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <ProblemAlert problem={problem} />
        <div className="form-actions">
          <button type="submit" className="btn">
            Send invitation
          </button>
        </div>
      </form>
    </section>
  );
}
