import { z } from 'zod';
import { OidcFinishInput, OidcFlowRef, OidcStartInput } from '../runner/oidc-sign-in';
import { runnerProcedure } from './runner-procedure';
import { router } from './trpc';

/**
 * `runner.profiles.oidc.*`: sign-in with the runner's identity provider through the system
 * browser and a loopback redirect (RFC 8252). `finish` waits for the browser (up to 5 minutes);
 * the renderer calls it right after `start`, and again with `totp` when asked.
 */
export const runnerOidcRouter = router({
  providers: runnerProcedure
    .input(z.strictObject({ profileId: z.string().min(1) }))
    .query(({ ctx, input }) => ctx.services.runner.oidc.providers(input.profileId)),
  start: runnerProcedure
    .input(OidcStartInput)
    .mutation(({ ctx, input }) => ctx.services.runner.oidc.start(input)),
  finish: runnerProcedure
    .input(OidcFinishInput)
    .mutation(({ ctx, input }) => ctx.services.runner.oidc.finish(input)),
  cancel: runnerProcedure
    .input(OidcFlowRef)
    .mutation(({ ctx, input }) => ctx.services.runner.oidc.cancel(input.flowId)),
});
