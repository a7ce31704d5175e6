import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parses CIDRs (or single addresses) into ranges. IPv4-mapped IPv6 ranges
 * (`::ffff:10.0.0.0/104`) become their IPv4 equivalent so they match either spelling.
 * Returns the problems per entry instead of throwing, for a 400 that names each bad one.
 */
export function parseCidrs(entries: string[]): {
  ranges: Range[];
  errors: { path: string; message: string }[];
} {
  const ranges: Range[] = [];
  const errors: { path: string; message: string }[] = [];
  entries.forEach((entry, index) => {
    try {
      const text = entry.trim();
      const range: Range = text.includes('/')
        ? ipaddr.parseCIDR(text)
        : (() => {
            const address = ipaddr.parse(text);
            return [address, address.kind() === 'ipv4' ? 32 : 128] as Range;
          })();
      ranges.push(normalise(range));
    } catch {
      errors.push({
        path: `[${index}]`,
        message: `${JSON.stringify(entry)} is not an IP address or CIDR`,
      });
    }
  });
  return { ranges, errors };
}

function normalise([address, bits]: Range): Range {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}

/** Whether the client address falls in one of the ranges (IPv4-mapped clients match IPv4 ranges). */
export function ipAllowed(ip: string, ranges: Range[]): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip.replace(/%.*$/, '')); // process(): ::ffff:a.b.c.d → a.b.c.d
  } catch {
    return false;
  }
  return ranges.some(
    ([network, bits]) =>
      network.kind() === address.kind() && address.match([network, bits] as never),
  );
}

/** A compiled allowlist: null means "no restriction". */
export type Allowlist = Range[] | null;

export function compileAllowlist(entries: string[] | null | undefined): Allowlist {
  return entries ? parseCidrs(entries).ranges : null;
}

/** An organization's two lists, compiled (cached per organization: app.credentialCache.ipAllowlists). */
export interface OrganizationAllowlists {
  api: Allowlist;
  webhooks: Allowlist;
}
