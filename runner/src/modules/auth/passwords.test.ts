import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARALLELISM,
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  scryptParams,
  verifyPassword,
} from './passwords';

describe('password hashing', () => {
  it('defaults to OWASP-grade work: N=2^14, r=8, p=5', () => {
    expect(DEFAULT_PARALLELISM).toBe(5);
    expect(scryptParams({})).toEqual({ N: 16384, r: 8, p: 5 });
    expect(scryptParams({ MAESTRO_SCRYPT_P: '2' })).toEqual({ N: 16384, r: 8, p: 2 });
  });

  it('verifies the right password only, with the parameters stored in the hash', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$\d+\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery!', stored)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
  });

  it('asks for a rehash when a hash was made with less work than new ones get', async () => {
    const current = await hashPassword('correct horse battery');
    expect(needsRehash(current)).toBe(false);
    const weaker = current.replace(/^scrypt\$16384\$8\$\d+\$/, 'scrypt$1024$8$1$');
    expect(needsRehash(weaker)).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });

  it('never verifies a password against the dummy hash', async () => {
    expect(await verifyPassword('', dummyPasswordHash())).toBe(false);
    expect(dummyPasswordHash()).toMatch(/^scrypt\$16384\$8\$/);
  });
});
