import { initTRPC } from '@trpc/server';
import type { AppServices } from '../app-services';
import { IssuesError } from '../workflows/issues-error';

/** What every procedure receives: the main process's services, built once per process. */
export interface AppContext {
  services: AppServices;
}

const t = initTRPC.context<AppContext>().create({
  // Validation issues travel as a `{ path, message }` list beside the message,
  // so the renderer can show them inline without parsing text.
  errorFormatter({ shape, error }) {
    const issues = error.cause instanceof IssuesError ? error.cause.issues : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, issues } };
  },
});

export const router = t.router;
export const procedure = t.procedure;
