import { useEffect, useRef } from 'react';
import { CopyButton } from '../ui/copy-button';

/**
 * A subscription's signing secret right after create or rotate: the runner keeps it sealed and
 * never shows it again, so it is held only in the page's memory until the person is done.
 */
export function SigningSecret({
  url,
  secret,
  onDone,
}: {
  url: string;
  secret: string;
  onDone: () => void;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), [secret]);
  return (
    <section
      className="recovery-codes-block"
      aria-labelledby="signing-secret-title"
      data-testid="signing-secret"
    >
      <h2 id="signing-secret-title" ref={headingRef} tabIndex={-1}>
        Store the signing secret now
      </h2>
      <p className="hint hint-warn" id="signing-secret-warning">
        The runner shows this secret only this once. Your receiver at <code>{url}</code> needs it to
        verify the <code>webhook-signature</code> header; if it is lost, rotate the secret.
      </p>
      <p>
        <code className="mono" aria-describedby="signing-secret-warning" data-testid="secret">
          {secret}
        </code>
      </p>
      <div className="form-actions">
        <CopyButton text={secret} label="Copy secret" copied="Signing secret copied." />
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
