import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;

/** Seals and opens secrets at rest with AES-256-GCM. */
export interface SecretBox {
  /** `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts). `context` is bound as AAD. */
  seal(plaintext: string, context?: string): string;
  /** Throws SecretBoxError when the key is unknown or the data or context were altered. */
  open(sealed: string, context?: string): string;
  /** Seals a JSON value (connection secret fields). */
  sealJson(value: unknown, context?: string): string;
  openJson<T = unknown>(sealed: string, context?: string): T;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/**
 * @param keys every key that may have sealed stored data, by key id (config.encryptionKeys)
 * @param currentKeyId the key new secrets are sealed with
 * @example const box = createSecretBox(config.encryptionKeys, config.encryptionKeyId);
 */
export function createSecretBox(keys: Map<string, Buffer>, currentKeyId: string): SecretBox {
  const current = keys.get(currentKeyId);
  if (!current || current.length !== 32)
    throw new SecretBoxError(`no 32-byte key with id ${currentKeyId}`);

  function seal(plaintext: string, context = ''): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current!, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      currentKeyId,
      nonce.toString('base64url'),
      ciphertext.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  }

  function open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION)
      throw new SecretBoxError('not a sealed secret (v1)');
    const [, keyId, nonce, ciphertext, tag] = parts as [string, string, string, string, string];
    const key = keys.get(keyId);
    if (!key)
      throw new SecretBoxError(
        `sealed with key ${keyId}, which is not configured (MAESTRO_ENCRYPTION_OLD_KEYS?)`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'secret could not be decrypted: altered data, wrong context or wrong key',
      );
    }
  }

  return {
    seal,
    open,
    sealJson: (value, context) => seal(JSON.stringify(value), context),
    openJson: <T>(sealed: string, context?: string) => JSON.parse(open(sealed, context)) as T,
  };
}
