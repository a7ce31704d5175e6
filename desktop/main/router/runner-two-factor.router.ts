import { OidcStartInput } from '../runner/oidc-sign-in';
import {
  PasswordEnrolInput,
  StepUpEnrolInput,
  TwoFactorCodeInput,
  TwoFactorProfile,
} from '../runner/two-factor-service';
import { runnerProcedure } from './runner-procedure';
import { router } from './trpc';

/**
 * `runner.profiles.twoFactor.*`: the signed-in user's TOTP on a runner. Enrolment re-authenticates
 * with the password, or (accounts without one) through `startStepUp` + `enrolWithStepUp`, which
 * waits for the system browser like `oidc.finish` (cancel with `oidc.cancel`). The secret and the
 * recovery codes are answered once and kept nowhere in the main process.
 */
export const runnerTwoFactorRouter = router({
  status: runnerProcedure
    .input(TwoFactorProfile)
    .query(({ ctx, input }) => ctx.services.runner.twoFactor.status(input.profileId)),
  enrolWithPassword: runnerProcedure
    .input(PasswordEnrolInput)
    .mutation(({ ctx, input }) => ctx.services.runner.twoFactor.enrolWithPassword(input)),
  startStepUp: runnerProcedure
    .input(OidcStartInput)
    .mutation(({ ctx, input }) => ctx.services.runner.twoFactor.startStepUp(input)),
  enrolWithStepUp: runnerProcedure
    .input(StepUpEnrolInput)
    .mutation(({ ctx, input }) => ctx.services.runner.twoFactor.enrolWithStepUp(input.flowId)),
  confirm: runnerProcedure
    .input(TwoFactorCodeInput)
    .mutation(({ ctx, input }) => ctx.services.runner.twoFactor.confirm(input)),
  disable: runnerProcedure
    .input(TwoFactorCodeInput)
    .mutation(({ ctx, input }) => ctx.services.runner.twoFactor.disable(input)),
});
