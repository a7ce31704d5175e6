import { describe, expect, it } from 'vitest';
import { ipAllowed, parseCidrs } from './ip-allowlist';

describe('ip allowlists', () => {
  const { ranges, errors } = parseCidrs([
    '10.0.0.0/8',
    '2001:db8::/32',
    '::ffff:192.168.1.0/120',
    '203.0.113.5',
  ]);
  it('parses IPv4, IPv6, IPv4-mapped CIDRs and single addresses', () => {
    expect(errors).toEqual([]);
    expect(ranges).toHaveLength(4);
  });
  it('matches IPv4 and IPv6 clients, including IPv4-mapped spellings both ways', () => {
    expect(ipAllowed('10.1.2.3', ranges)).toBe(true);
    expect(ipAllowed('::ffff:10.1.2.3', ranges)).toBe(true);
    expect(ipAllowed('192.168.1.77', ranges)).toBe(true);
    expect(ipAllowed('192.168.2.1', ranges)).toBe(false);
    expect(ipAllowed('2001:db8:1::1', ranges)).toBe(true);
    expect(ipAllowed('2001:db9::1', ranges)).toBe(false);
    expect(ipAllowed('203.0.113.5', ranges)).toBe(true);
    expect(ipAllowed('203.0.113.6', ranges)).toBe(false);
    expect(ipAllowed('not an ip', ranges)).toBe(false);
  });
  it('names each bad entry', () => {
    expect(
      parseCidrs(['10.0.0.0/33', 'fe80::/10', 'example.com']).errors.map((e) => e.path),
    ).toEqual(['[0]', '[2]']);
  });
});
