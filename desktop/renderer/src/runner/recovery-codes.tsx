import { useEffect, useRef } from 'react';
import { saveTextFile } from '../ui/save-text-file';
import { CopyButton } from '../ui/copy-button';
import type { RunnerProfile } from './runner-store';

/**
 * The recovery codes, shown once right after enrolment (the runner keeps only their hashes):
 * a clear "store these now", a copy and a save-to-file, and nothing kept once the person is done.
 */
export function RecoveryCodes({
  profile,
  codes,
  onDone,
}: {
  profile: RunnerProfile;
  codes: string[];
  onDone: () => void;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const text = recoveryCodesText(profile, codes);
  const id = `recovery-${profile.id}`;
  return (
    <div className="recovery-codes-block" role="group" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        Two-factor authentication is on — store your recovery codes now
      </h4>
      <p className="hint hint-warn" id={`${id}-warning`}>
        These codes are shown only this once. Each signs you in once if you lose your authenticator
        app. Keep them somewhere safe, away from this computer’s password.
      </p>
      <ol className="recovery-codes mono" aria-describedby={`${id}-warning`}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="form-actions">
        <CopyButton text={text} label="Copy codes" copied="Recovery codes copied." />
        <button type="button" className="btn" onClick={() => saveToFile(profile, text)}>
          Save to file
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have stored them
        </button>
      </div>
    </div>
  );
}

function recoveryCodesText(profile: RunnerProfile, codes: string[]): string {
  return [
    `Maestro recovery codes for ${profile.email ?? 'your account'} on ${profile.baseUrl}`,
    'Each code signs you in once when you cannot use your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n');
}

function saveToFile(profile: RunnerProfile, text: string): void {
  saveTextFile(`maestro-recovery-codes-${new URL(profile.baseUrl).hostname}.txt`, text);
}
