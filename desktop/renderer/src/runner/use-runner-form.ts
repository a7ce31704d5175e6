import { useState } from 'react';
import { errorIssues } from '../api/trpc-client';
import { useFormAction } from '../ui/use-form-action';

type Issue = { path: string; message: string };

/**
 * A form whose action the runner validates: like useFormAction, and the problem+json `errors`
 * of a refusal go on the fields by their JSON paths (`oauth2.tokenUrl`). `fields` lists the
 * paths the form shows; an issue at any other path is added to the form's error line.
 */
export function useRunnerForm(fields: readonly string[], action: () => Promise<void>) {
  const [issues, setIssues] = useState<Issue[]>([]);
  const form = useFormAction(async () => {
    setIssues([]);
    try {
      await action();
    } catch (error) {
      setIssues(errorIssues(error));
      throw error;
    }
  });
  const unplaced = issues.filter((i) => !fields.includes(i.path));
  const problem =
    form.problem && unplaced.length > 0
      ? {
          ...form.problem,
          message: `${form.problem.message} (${unplaced.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ')})`,
        }
      : form.problem;
  return {
    ...form,
    problem,
    /** The runner's messages about the field at `path`. */
    errorsAt: (path: string) => issues.filter((i) => i.path === path).map((i) => i.message),
  };
}

export type RunnerForm = ReturnType<typeof useRunnerForm>;
