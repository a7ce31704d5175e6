import { isIP } from 'node:net';
import { normalizeAddress } from '../worker/address-policy';

/**
 * Whether a token URL's host is this machine: plain http is accepted only there (a local
 * development or test token endpoint); anything else must be https. The SSRF guard still
 * decides at request time whether the organization may reach it at all.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (!isIP(host)) return false;
  const normalized = normalizeAddress(host);
  if (!normalized) return false;
  return normalized.family === 'ipv4'
    ? normalized.address.startsWith('127.')
    : normalized.address === '::1';
}
