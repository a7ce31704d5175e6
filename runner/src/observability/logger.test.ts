import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger';

describe('logger redaction', () => {
  it('redacts credentials and secrets wherever the paths match', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino(loggerOptions('info'), sink);
    log.info(
      {
        req: {
          headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', 'x-request-id': 'r1' },
        },
        body: { password: 'hunter2-pass', refreshToken: 'mrt_secret' },
        connection: { secrets: { token: 'tok_123' } },
      },
      'request',
    );
    const line = lines.join('');
    for (const secret of ['abc.def.ghi', 'sid=1', 'hunter2-pass', 'mrt_secret', 'tok_123']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('"x-request-id":"r1"');
    expect(line).toContain('[redacted]');
  });
});
