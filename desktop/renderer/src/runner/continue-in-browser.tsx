/**
 * While a sign-in or a step-up waits at the identity provider in the browser: where to go, the
 * provider's page again (a closed tab is not a dead end), and Cancel.
 */
export function ContinueInBrowser({
  providerName,
  again,
  authorizationUrl,
  onCancel,
}: {
  providerName: string;
  /** A step-up: the person signs in there once more. */
  again: boolean;
  authorizationUrl: string;
  onCancel: () => void;
}) {
  return (
    <>
      <p role="status" className="hint">
        Continue in your browser: sign in with {providerName} {again ? 'again' : 'there'}, then come
        back.{' '}
        <a href={authorizationUrl} target="_blank" rel="noopener noreferrer">
          Open the sign-in page again
        </a>
      </p>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
