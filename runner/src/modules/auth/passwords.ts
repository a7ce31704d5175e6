import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 64;
const LOG2_N = 14;
const BLOCK_SIZE = 8;
/**
 * OWASP's password storage advice for scrypt: N=2^17, r=8, p=1, or the same work as
 * N=2^14, r=8, p=5. The second costs the same CPU with 16 MiB instead of 128 MiB per hash, so a
 * burst of logins cannot exhaust memory.
 */
export const DEFAULT_PARALLELISM = 5;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * The parameters new hashes use. `MAESTRO_SCRYPT_P` lowers or raises the work (validated by
 * the runner's env schema); the test suite sets 1 to keep thousands of hashes affordable.
 */
export function scryptParams(env: NodeJS.ProcessEnv = process.env): ScryptParams {
  const p = Number(env.MAESTRO_SCRYPT_P ?? DEFAULT_PARALLELISM);
  return {
    N: 2 ** LOG2_N,
    r: BLOCK_SIZE,
    p: Number.isInteger(p) && p > 0 ? p : DEFAULT_PARALLELISM,
  };
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

function format(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

function parse(stored: string): (ScryptParams & { salt: Buffer; hash: Buffer }) | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isInteger(v) && v > 0)) return null;
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const params = scryptParams();
  const salt = randomBytes(16);
  return format(params, salt, await derive(password, salt, params));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when a stored hash was made with less work than new hashes get: rehash it at the next login. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const current = scryptParams();
  return parsed.N * parsed.r * parsed.p < current.N * current.r * current.p;
}

/**
 * A hash to compare against when the user does not exist, so timing does not reveal registered
 * emails: made with the current parameters, so it costs what a real verification costs.
 */
export function dummyPasswordHash(): string {
  return format(scryptParams(), Buffer.alloc(16), Buffer.alloc(KEY_LENGTH));
}
