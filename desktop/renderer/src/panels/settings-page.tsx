import { useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { sampleStore, loadSamples } from '../run/sample-store';
import { ThemeChoice } from '../shell/theme-choice';
import { FormFooter } from '../ui/form-footer';
import { TableHead } from '../ui/table-head';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';

interface Row {
  key: string;
  value: string;
  secret: boolean;
}

/** The theme, and environment variables for dry-runs (`{{ env.X }}`), some marked secret (redacted from results). */
export function SettingsPage() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [info, setInfo] = useState<RouterOutputs['app']['info'] | null>(null);
  const save = useFormAction(async () => {
    const kept = (rows ?? []).filter((r) => r.key.trim() !== '');
    await api.settings.update.mutate({
      env: Object.fromEntries(kept.map((r) => [r.key.trim(), r.value])),
      secretEnvKeys: kept.filter((r) => r.secret).map((r) => r.key.trim()),
    });
    showToast({ tone: 'success', message: 'Settings saved.' });
    const { workflowId } = sampleStore.getState();
    if (workflowId) await loadSamples(workflowId);
  });
  const { setProblem } = save;
  useEffect(() => {
    api.settings.get.query().then(
      (s) =>
        setRows(
          Object.entries(s.env).map(([key, value]) => ({
            key,
            value,
            secret: s.secretEnvKeys.includes(key),
          })),
        ),
      (error: unknown) => setProblem(failureOf(error)),
    );
    api.app.info.query().then(setInfo, () => setInfo(null));
  }, [setProblem]);
  const update = (index: number, patch: Partial<Row>) =>
    setRows((rows ?? []).map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <main className="page" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <section aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <ThemeChoice />
      </section>
      <section aria-labelledby="env-title">
        <h2 id="env-title">Environment variables for dry-runs</h2>
        <p className="muted">
          Templates read them as <code>{'{{ env.NAME }}'}</code>. Values of keys marked secret are
          redacted from run results and never shown in previews.
        </p>
        <form onSubmit={save.onSubmit} aria-labelledby="env-title">
          {rows === null ? (
            <p className="muted">Loading…</p>
          ) : (
            <table className="table">
              <TableHead columns={['Name', 'Value', 'Secret']} actions />
              <tbody>
                {rows.map((row, index) => (
                  <tr key={index}>
                    <td>
                      <input
                        className="input mono"
                        aria-label={`Variable ${index + 1} name`}
                        value={row.key}
                        onChange={(e) => update(index, { key: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        className="input"
                        type={row.secret ? 'password' : 'text'}
                        aria-label={`Variable ${index + 1} value`}
                        value={row.value}
                        onChange={(e) => update(index, { value: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Variable ${index + 1} is secret`}
                        checked={row.secret}
                        onChange={(e) => update(index, { secret: e.target.checked })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="icon-btn"
                        aria-label={`Remove variable ${row.key || index + 1}`}
                        onClick={() => setRows(rows.filter((_, i) => i !== index))}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <FormFooter
            problem={save.problem}
            submitLabel="Save settings"
            busyLabel="Saving…"
            busy={save.busy}
            primary
          >
            <button
              type="button"
              className="btn"
              onClick={() => setRows([...(rows ?? []), { key: '', value: '', secret: false }])}
            >
              + Add variable
            </button>
          </FormFooter>
        </form>
      </section>
      {info && (
        <section aria-labelledby="about-title">
          <h2 id="about-title">About</h2>
          <p className="small">
            Maestro {info.version} ·{' '}
            {info.transport === 'electron' ? 'desktop app' : 'browser host'} · data in{' '}
            <code>{info.dataDir}</code>
          </p>
        </section>
      )}
    </main>
  );
}
