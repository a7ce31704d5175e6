import { StepError } from '../../../shared/src/engine/step-error';
import { connectionSecretContext } from '../crypto/contexts';
import type { SecretBox } from '../crypto/secret-box';

/** Opens a connection's sealed secret for a run; a step error when it cannot be (wrong key, altered). */
export function openConnectionSecret<T>(box: SecretBox, id: string, sealed: string): T {
  try {
    return box.openJson<T>(sealed, connectionSecretContext(id));
  } catch {
    throw new StepError(
      'INTERNAL',
      `connection ${id}: its secret cannot be decrypted (key missing or data altered)`,
      { retryable: false },
    );
  }
}
