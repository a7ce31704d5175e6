import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OidcClientRedirect } from '../../../shared/src/contracts/runner-api';
import { RunnerError } from './runner-error';

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port><path>`: the redirect URI to give the runner. */
  redirectUri: string;
  /** The parameters of the first redirect that carries our `state`. */
  result: Promise<OidcClientRedirect>;
  /** Ends the wait (the person canceled): `result` rejects, the port closes. */
  cancel(): void;
  /** Settles once the port is closed. */
  closed: Promise<void>;
}

/** What the browser tab says at the end, by what the redirect ends: a sign-in or a step-up. */
const ENDINGS = {
  'sign-in': { done: 'Signed in', failed: 'Sign-in failed' },
  // A signed-in user confirming it is them (2FA enrolment): nothing was signed in.
  'step-up': { done: 'Confirmed', failed: 'Not confirmed' },
} as const;

/**
 * A one-shot HTTP listener on 127.0.0.1 and an ephemeral port for an OAuth redirect (RFC 8252
 * §7.3). Only a GET of `path` with our `state` ends it; a request with another state (another
 * local program guessing at the port, an old tab) gets a refusal page and changes nothing, so it
 * cannot cancel or hijack the sign-in. The port closes on the answer, on `cancel` or after
 * `timeoutMs`, whichever comes first. Nothing here logs: the redirect carries a one-time code.
 */
export async function listenForRedirect(options: {
  path: string;
  state: string;
  timeoutMs: number;
  purpose: keyof typeof ENDINGS;
}): Promise<LoopbackRedirect> {
  const ending = ENDINGS[options.purpose];
  let settle!: { resolve(value: OidcClientRedirect): void; reject(error: Error): void };
  const result = new Promise<OidcClientRedirect>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may stop waiting (cancel before it awaited): no unhandled rejection.
  result.catch(() => undefined);
  let done = false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== options.path) {
      answer(res, 404, 'Not found', 'This address only receives the sign-in redirect.');
      return;
    }
    const params = Object.fromEntries(url.searchParams);
    if (done || !sameState(params.state, options.state)) {
      answer(
        res,
        400,
        'Not your sign-in',
        'This answer does not belong to the sign-in Maestro is waiting for, so it was ignored. Start the sign-in again from Maestro if needed.',
      );
      return;
    }
    const parsed = OidcClientRedirect.safeParse(params);
    if (!parsed.success) {
      answer(res, 400, ending.failed, 'The runner sent neither a sign-in code nor an error.');
      finish(() =>
        settle.reject(
          new RunnerError('server', 'The runner sent neither a sign-in code nor an error.'),
        ),
      );
      return;
    }
    if ('error' in parsed.data) {
      answer(
        res,
        200,
        ending.failed,
        `${parsed.data.error_description ?? parsed.data.error}. You can close this tab and return to Maestro.`,
      );
    } else {
      answer(res, 200, ending.done, 'You can close this tab and return to Maestro.');
    }
    const value = parsed.data;
    finish(() => settle.resolve(value));
  });
  // Browsers keep connections open: answers say "close", and closing drops what is left.
  server.keepAliveTimeout = 1;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const { port } = server.address() as AddressInfo;

  const timer = setTimeout(
    () =>
      finish(() =>
        settle.reject(
          new RunnerError(
            'invalid',
            `The sign-in was not finished within ${Math.round(options.timeoutMs / 60_000) || 1} minute(s): start it again.`,
          ),
        ),
      ),
    options.timeoutMs,
  );
  timer.unref();

  function finish(then: () => void): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server.close();
    // Idle browser connections would keep the port open; the answer in flight is written first.
    setImmediate(() => server.closeIdleConnections());
    then();
  }

  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    result,
    cancel: () =>
      finish(() => {
        server.closeAllConnections();
        settle.reject(new RunnerError('invalid', 'The sign-in was canceled.'));
      }),
    closed,
  };
}

function sameState(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A small page for the browser tab: no script, nothing loaded from anywhere. */
function answer(res: ServerResponse<IncomingMessage>, status: number, title: string, text: string) {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(
    title,
  )} — Maestro</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style></head><body><h1>${escapeHtml(
    title,
  )}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(body);
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
