import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a workflow's HTTP requests may reach on the runner.
 * Everything that is not the public internet is refused by default: loopback,
 * private, CGNAT, link-local (cloud metadata lives at 169.254.169.254),
 * multicast, reserved and documentation ranges, IPv6 ULA/link-local, and
 * IPv4 addresses wrapped in IPv6 (mapped, NAT64) are judged by their IPv4 part.
 */
const BLOCKED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const BLOCKED_V6 = [
  '::/128',
  '::1/128',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

export interface AddressPolicy {
  /** Undefined when the address may be reached, else why not. */
  refusal(address: string): string | undefined;
}

export interface AddressPolicyOptions {
  /** The organization allows every private range (Organization.allow_private_network). */
  allowPrivateNetwork?: boolean;
  /** CIDR ranges the organization allows despite the rules above, e.g. "10.1.0.0/16". */
  allowedRanges?: readonly string[];
}

const blocked = buildList([...BLOCKED_V4, ...BLOCKED_V6]);

export function createAddressPolicy(options: AddressPolicyOptions = {}): AddressPolicy {
  const allowed = buildList(options.allowedRanges ?? []);
  return {
    refusal(address) {
      if (options.allowPrivateNetwork) return undefined;
      const normalized = normalizeAddress(address);
      if (!normalized) return `${address} is not an IP address`;
      if (allowed.check(normalized.address, normalized.family)) return undefined;
      if (blocked.check(normalized.address, normalized.family)) {
        return `${address} is a loopback, private, link-local or reserved address`;
      }
      return undefined;
    },
  };
}

/** Parses "a.b.c.d/n" and "x::y/n" ranges; throws on a malformed one so bad settings fail loudly. */
function buildList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [network = '', bits] = range.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : isIP(network) === 4 ? 'ipv4' : undefined;
    if (!family) throw new Error(`not a CIDR range: ${range}`);
    const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
    list.addSubnet(network, prefix, family);
  }
  return list;
}

/** Unwraps IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible and NAT64 (64:ff9b::/96) addresses. */
export function normalizeAddress(
  raw: string,
): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version !== 6) return undefined;
  const embedded = embeddedIpv4(address);
  return embedded ? { address: embedded, family: 'ipv4' } : { address, family: 'ipv6' };
}

function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const isCompatible =
    groups.slice(0, 6).every((g) => g === 0) && (groups[6] !== 0 || (groups[7] ?? 0) > 1);
  const isNat64 =
    groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!isMapped && !isCompatible && !isNat64) return undefined;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Eight 16-bit groups of an IPv6 address (dotted IPv4 tails included). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, -dotted[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map(
    (g) => parseInt(g, 16) || 0,
  );
}
