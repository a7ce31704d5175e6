import { SettingsUpdate } from '../preferences/settings';
import { connectionsRouter } from './connections.router';
import { dryRunRouter } from './dry-run.router';
import { samplesRouter } from './samples.router';
import { runnerRouter } from './runner.router';
import { procedure, router } from './trpc';
import { workflowsRouter } from './workflows.router';

/** The one router of the main process (desktop-common.md "The tRPC contract"). */
export const appRouter = router({
  workflows: workflowsRouter,
  templates: router({
    list: procedure.query(({ ctx }) => ctx.services.templates()),
  }),
  dryRun: dryRunRouter,
  samples: samplesRouter,
  connections: connectionsRouter,
  runner: runnerRouter,
  settings: router({
    get: procedure.query(({ ctx }) => ctx.services.settings.get()),
    update: procedure
      .input(SettingsUpdate)
      .mutation(({ ctx, input }) => ctx.services.settings.update(input)),
  }),
  app: router({
    info: procedure.query(({ ctx }) => ctx.services.info),
  }),
});

/** The only thing the renderer imports from the main process. */
export type AppRouter = typeof appRouter;
