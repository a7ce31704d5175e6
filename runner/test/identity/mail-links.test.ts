import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/notifications/mailer';
import { silentLog } from '../../src/worker/logger';
import { createTestApp, type TestApp } from '../support/test-app';
import { startSmtpCapture } from './support/smtp-capture';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: ReturnType<typeof createMailer>;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  // The same mailer roles.ts gives the API process, over real SMTP.
  mailer = createMailer({
    smtpUrl: smtp.url,
    from: 'Maestro <no-reply@maestro.test>',
    log: silentLog,
  });
  t = await createTestApp({ MAESTRO_PUBLIC_URL: 'https://app.maestro.test' }, { mailer });
});
afterAll(async () => {
  await t?.close();
  mailer?.close();
  await smtp?.close();
});

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });

describe('emails over SMTP, links followed from the received messages', () => {
  it('verifies the address from the link in the welcome mail', async () => {
    const email = `mail-${Date.now()}@example.test`;
    expect(
      (await post('/v1/auth/register', { email, password: 'violet staple orbit 42', name: 'M' }))
        .statusCode,
    ).toBe(201);
    const link = smtp.linkSentTo(email);
    expect(`${link.origin}${link.pathname}`).toBe('https://app.maestro.test/verify-email');
    expect(smtp.mails.at(-1)!.raw).toMatch(/^From: Maestro <no-reply@maestro\.test>/m);
    const token = link.searchParams.get('token')!;
    expect((await post('/v1/auth/verify-email', { token })).statusCode).toBe(200);
    expect((await post('/v1/auth/verify-email', { token: `${token}x` })).statusCode).toBe(400);
  });

  it('resets the password from the link in the reset mail, once', async () => {
    const email = `reset-${Date.now()}@example.test`;
    await post('/v1/auth/register', { email, password: 'violet staple orbit 42', name: 'R' });
    expect((await post('/v1/auth/password/forgot', { email })).statusCode).toBe(202);
    const link = smtp.linkSentTo(email);
    expect(link.pathname).toBe('/reset-password');
    const token = link.searchParams.get('token')!;
    expect(
      (await post('/v1/auth/password/reset', { token, password: 'amber lantern quiet 7' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await post('/v1/auth/password/reset', { token, password: 'another fine phrase' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await post('/v1/auth/login', { email, password: 'amber lantern quiet 7' })).statusCode,
    ).toBe(200);
    // Unknown addresses get the same 202 and no mail.
    const before = smtp.mails.length;
    expect(
      (await post('/v1/auth/password/forgot', { email: `nobody-${Date.now()}@example.test` }))
        .statusCode,
    ).toBe(202);
    expect(smtp.mails.length).toBe(before);
  });
});
