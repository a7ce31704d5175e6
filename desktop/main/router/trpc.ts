import { initTRPC } from '@trpc/server';
import type { AppServices } from '../app-services';
import { RunnerError } from '../runner/runner-error';
import { IssuesError } from '../workflows/issues-error';

/** What every procedure receives: the main process's services, built once per process. */
export interface AppContext {
  services: AppServices;
}

const t = initTRPC.context<AppContext>().create({
  // Validation issues travel as a `{ path, message }` list beside the message, and a runner
  // refusal's problem type with it, so the renderer acts on them without parsing text.
  errorFormatter({ shape, error }) {
    const issues = error.cause instanceof IssuesError ? error.cause.issues : undefined;
    const problemType = error.cause instanceof RunnerError ? error.cause.problemType : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, issues, problemType } };
  },
});

export const router = t.router;
export const procedure = t.procedure;
