import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../config/config';
import { createSecretBox, SecretBoxError } from './secret-box';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(new Map([[keyIdOf(keyA), keyA]]), keyIdOf(keyA));

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.seal('s3cr3t-token', 'conn:1');
    expect(sealed).not.toContain('s3cr3t');
    expect(sealed.split('.')).toHaveLength(5);
    expect(box.open(sealed, 'conn:1')).toBe('s3cr3t-token');
  });

  it('uses a fresh nonce each time', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses altered ciphertext and a different context', () => {
    const sealed = box.seal('value', 'conn:1');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'conn:1')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'conn:2')).toThrow(SecretBoxError);
  });

  it('opens secrets sealed under an old key after rotation', () => {
    const old = createSecretBox(new Map([[keyIdOf(keyB), keyB]]), keyIdOf(keyB));
    const sealed = old.sealJson({ token: 't' });
    const rotated = createSecretBox(
      new Map([
        [keyIdOf(keyA), keyA],
        [keyIdOf(keyB), keyB],
      ]),
      keyIdOf(keyA),
    );
    expect(rotated.openJson(sealed)).toEqual({ token: 't' });
    expect(() => box.open(sealed)).toThrow(/not configured/);
  });
});
