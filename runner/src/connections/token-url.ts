import { isIP } from 'node:net';
import { z } from 'zod';
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

/**
 * A URL the runner calls out to (a token endpoint, an event webhook receiver): a valid URL that
 * uses https, or http to this machine; `what` names it in the message.
 */
export const outboundUrl = (what: string) =>
  z
    .string()
    .max(2_000)
    .refine((text) => URL.canParse(text), 'not a valid URL')
    .refine((text) => {
      if (!URL.canParse(text)) return true;
      const url = new URL(text);
      return (
        url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
      );
    }, `${what} must use https (http only to a loopback address)`);
