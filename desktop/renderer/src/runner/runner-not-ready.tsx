import { showPage } from '../shell/ui-store';
import type { RunnerProfile } from './runner-store';

/**
 * Why a screen that acts in an organization of the runner cannot yet (no runner, not signed in,
 * no organization chosen), with the way to the Runner page where that is done.
 */
export function RunnerNotReady({ profile }: { profile: RunnerProfile | undefined }) {
  return (
    <p>
      {!profile
        ? 'No runner is set up yet.'
        : profile.signedIn
          ? `Choose an organization on ${profile.name} first.`
          : `Sign in to ${profile.name} first.`}{' '}
      <button type="button" className="link-btn" onClick={() => showPage('runner')}>
        Go to the Runner page
      </button>
    </p>
  );
}
