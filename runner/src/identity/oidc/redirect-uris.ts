/** Loopback IP literals: a native app listens on a port it picks at run time (RFC 8252 §7.3). */
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

const withoutPort = (url: URL) => {
  const copy = new URL(url.href);
  copy.port = '';
  return copy.href;
};

/**
 * Whether `candidate` is on the allowlist: the same URL exactly, except that an `http` entry on
 * a loopback IP (`http://127.0.0.1/callback`) matches any port on that IP with the same path
 * and query. `localhost` gets no such leeway (RFC 8252 §8.3: it may resolve elsewhere).
 */
export function isAllowedRedirectUri(allowlist: readonly string[], candidate: string): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.hash || url.username || url.password) return false;
  return allowlist.some((entry) => {
    const allowed = new URL(entry);
    if (allowed.href === url.href) return true;
    return (
      allowed.protocol === 'http:' &&
      url.protocol === 'http:' &&
      LOOPBACK_IPS.has(allowed.hostname) &&
      withoutPort(allowed) === withoutPort(url)
    );
  });
}
