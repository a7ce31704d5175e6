import { readFileSync } from 'node:fs';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

let common: Set<string> | undefined;

/**
 * The bundled list (common-passwords.txt): the most frequent passwords of public breach
 * corpora plus their usual variants (word + digits/year/!), lower-cased. Loaded once.
 */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

/**
 * Why a new password is refused, or null when it is acceptable: at least 10 characters,
 * not on the common-password list (case-insensitive), not the account's email or its name part.
 */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password.normalize('NFKC')].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase().trim();
  if (commonPasswords().has(lower))
    return 'is a commonly used password (found in breach lists); choose another';
  if (new Set(lower).size < 4) return 'uses too few different characters';
  if (email) {
    const address = email.toLowerCase();
    const local = address.split('@')[0] ?? '';
    if (lower === address || (local.length >= 4 && lower.includes(local)))
      return 'must not contain your email address';
  }
  return null;
}
