import { useCallback, useEffect, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { SelectField, TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { TableHead } from '../ui/table-head';
import { runWithToast } from '../ui/toast-action';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';

type InvitationList = RouterOutputs['runner']['admin']['invitations'];
type Role = RouterOutputs['runner']['admin']['members']['roles'][number];

/** Pending invitations and the form that sends one (an emailed single-use link). */
export function Invitations({ organizationId, roles }: { organizationId: string; roles: Role[] }) {
  const [pending, setPending] = useState<InvitationList | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [loadProblem, setLoadProblem] = useState<Failure | null>(null);
  const refresh = useCallback(async () => {
    try {
      setPending(await api.runner.admin.invitations.query({ organizationId }));
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(failureOf(error));
    }
  }, [organizationId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const send = useFormAction(async () => {
    const sent = await api.runner.admin.invite.mutate({ organizationId, email, role });
    showToast({
      tone: sent.emailSent ? 'success' : 'info',
      message: sent.emailSent
        ? `Invitation sent to ${email}.`
        : `Invitation made for ${email}, but the runner could not send the email.`,
    });
    setEmail('');
    await refresh();
  });
  const revoke = async (invitationId: string, to: string) => {
    await runWithToast(
      () => api.runner.admin.revokeInvitation.mutate({ organizationId, invitationId }),
      `Revoked the invitation of ${to}.`,
      'info',
    );
    await refresh();
  };
  return (
    <section aria-labelledby="invitations-title">
      <h3 id="invitations-title" className="section-title">
        Invitations
      </h3>
      {pending && pending.items.length > 0 && (
        <table className="table" data-testid="invitations">
          <TableHead columns={['Email', 'Role', 'Expires']} actions />
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
      <form className="form" onSubmit={send.onSubmit} aria-label="Send an invitation">
        <TextField
          id="invite-email"
          label="Invite by email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <SelectField
          id="invite-role"
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </SelectField>
        <FormFooter
          problem={send.problem ?? loadProblem}
          submitLabel="Send invitation"
          busyLabel="Sending…"
          busy={send.busy}
        />
      </form>
    </section>
  );
}
