import { z } from 'zod';
import { NewRunnerProfile, SignInInput } from '../runner/runner-connection-service';
import { runnerOidcRouter } from './runner-oidc.router';
import { runnerProcedure } from './runner-procedure';
import { runnerTwoFactorRouter } from './runner-two-factor.router';
import { router } from './trpc';

const ProfileId = z.strictObject({ profileId: z.string().min(1) });

/** `runner.profiles.*`: runners, sign-in (tokens stay in the main process), organization choice. */
export const runnerProfilesRouter = router({
  list: runnerProcedure.query(({ ctx }) => ctx.services.runner.connections.list()),
  create: runnerProcedure
    .input(NewRunnerProfile)
    .mutation(({ ctx, input }) => ctx.services.runner.connections.create(input)),
  delete: runnerProcedure.input(ProfileId).mutation(async ({ ctx, input }) => {
    await ctx.services.runner.connections.remove(input.profileId);
    return { profileId: input.profileId };
  }),
  setActive: runnerProcedure
    .input(ProfileId)
    .mutation(({ ctx, input }) => ctx.services.runner.connections.setActive(input.profileId)),
  signIn: runnerProcedure
    .input(SignInInput)
    .mutation(({ ctx, input }) => ctx.services.runner.connections.signIn(input)),
  /** Sign-in with the runner's OpenID Connect provider instead of a password. */
  oidc: runnerOidcRouter,
  /** The signed-in user's two-factor authentication (TOTP, recovery codes). */
  twoFactor: runnerTwoFactorRouter,
  signOut: runnerProcedure
    .input(ProfileId)
    .mutation(({ ctx, input }) => ctx.services.runner.connections.signOut(input.profileId)),
  organizations: runnerProcedure
    .input(ProfileId)
    .query(({ ctx, input }) => ctx.services.runner.connections.organizations(input.profileId)),
  selectOrganization: runnerProcedure
    .input(ProfileId.extend({ organizationId: z.string().min(1) }))
    .mutation(({ ctx, input }) =>
      ctx.services.runner.connections.selectOrganization(input.profileId, input.organizationId),
    ),
});
