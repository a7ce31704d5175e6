/**
 * The loopback listener over real HTTP on 127.0.0.1: what ends the wait, what the browser tab
 * is shown, and that the port closes.
 */
import { describe, expect, it } from 'vitest';
import { listenForRedirect } from './loopback-redirect';

const STATE = 'a-state-of-43-characters-0123456789abcdefgh';

async function listen(timeoutMs = 60_000, purpose: 'sign-in' | 'step-up' = 'sign-in') {
  return listenForRedirect({ path: '/oidc/callback', state: STATE, timeoutMs, purpose });
}

const heading = (page: string) => /<h1>([^<]*)<\/h1>/.exec(page)?.[1];

describe('loopback redirect listener', () => {
  it('listens on 127.0.0.1 only, and only its path with a GET ends the wait', async () => {
    const redirect = await listen();
    const uri = new URL(redirect.redirectUri);
    expect(uri.hostname).toBe('127.0.0.1');
    expect(Number(uri.port)).toBeGreaterThan(0);
    expect((await fetch(new URL('/favicon.ico', uri))).status).toBe(404);
    expect((await fetch(`${uri.href}?code=c&state=${STATE}`, { method: 'POST' })).status).toBe(404);
    const tab = await fetch(`${uri.href}?code=one-time&state=${STATE}`);
    expect(tab.status).toBe(200);
    expect(tab.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(tab.headers.get('cache-control')).toBe('no-store');
    expect(await redirect.result).toEqual({ code: 'one-time', state: STATE });
    await redirect.closed;
    await expect(fetch(uri)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });

  it('says "Signed in" after a sign-in and "Confirmed" after a step-up', async () => {
    const signIn = await listen();
    expect(heading(await (await fetch(`${signIn.redirectUri}?code=c&state=${STATE}`)).text())).toBe(
      'Signed in',
    );
    const stepUp = await listen(60_000, 'step-up');
    const confirmed = await (await fetch(`${stepUp.redirectUri}?code=c&state=${STATE}`)).text();
    expect(heading(confirmed)).toBe('Confirmed');
    expect(confirmed).toContain('You can close this tab');
    expect(confirmed).not.toMatch(/signed in/i);
    const refused = await listen(60_000, 'step-up');
    const page = await (
      await fetch(`${refused.redirectUri}?error=access_denied&state=${STATE}`)
    ).text();
    expect(heading(page)).toBe('Not confirmed');
    await Promise.all([signIn.result, stepUp.result, refused.result]);
  });

  it('shows an error description as text, never as markup', async () => {
    const redirect = await listen();
    const url = new URL(redirect.redirectUri);
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('error_description', '<img src=x onerror=alert(1)> refused');
    url.searchParams.set('state', STATE);
    const page = await (await fetch(url)).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; refused');
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/<script/i);
    expect(await redirect.result).toMatchObject({ error: 'access_denied' });
  });

  it('refuses a redirect with neither a code nor an error', async () => {
    const redirect = await listen();
    const tab = await fetch(`${redirect.redirectUri}?state=${STATE}`);
    expect(tab.status).toBe(400);
    await expect(redirect.result).rejects.toThrow(/neither a sign-in code nor an error/);
    await redirect.closed;
  });

  it('closes on cancel and on timeout', async () => {
    const canceled = await listen();
    canceled.cancel();
    await expect(canceled.result).rejects.toThrow('The sign-in was canceled.');
    await canceled.closed;
    await expect(fetch(canceled.redirectUri)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });

    const late = await listen(50);
    await expect(late.result).rejects.toThrow(/not finished within/);
    await late.closed;
    await expect(fetch(late.redirectUri)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
  });
});
