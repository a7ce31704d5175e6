import type { IncomingHttpHeaders } from 'node:http';

/**
 * DNS-rebinding guard. The studio serves local secrets (through dry-runs) on
 * 127.0.0.1; a web page on evil.example whose name is rebound to 127.0.0.1
 * reaches the same socket, but its requests carry `Host: evil.example` and
 * an `Origin` from that site. Only loopback names on our own port pass.
 * Returns the reason for a refusal, or undefined when the request may go on.
 */
export function refuseNonLoopback(headers: IncomingHttpHeaders, port: number): string | undefined {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = headers.host?.toLowerCase();
  if (!host || !allowedHosts.has(host))
    return `Host "${headers.host ?? ''}" is not this computer's studio`;
  const origin = headers.origin;
  if (origin !== undefined && !allowedHosts.has(originHost(origin) ?? '')) {
    return `Origin "${origin}" may not call the studio`;
  }
  return undefined;
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
