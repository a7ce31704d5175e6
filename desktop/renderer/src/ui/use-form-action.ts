import type { FormEvent } from 'react';
import { useState } from 'react';
import type { Failure } from '../api/trpc-client';
import { failureOf } from '../api/trpc-client';

/**
 * Runs a form's action: `busy` while it runs (a second submit meanwhile is ignored), its
 * error kept as `problem` for the form's error line.
 */
export function useFormAction(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Failure | null>(null);
  const run = async () => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(failureOf(error));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  return { busy, problem, setProblem, run, onSubmit };
}
