import { describe, expect, it } from 'vitest';
import { refuseNonLoopback } from './loopback-guard';

describe('refuseNonLoopback (DNS-rebinding guard)', () => {
  it('accepts loopback names on our port, with or without a same-site Origin', () => {
    for (const host of ['127.0.0.1:4000', 'localhost:4000', 'LOCALHOST:4000', '[::1]:4000']) {
      expect(refuseNonLoopback({ host }, 4000)).toBeUndefined();
    }
    expect(
      refuseNonLoopback({ host: '127.0.0.1:4000', origin: 'http://localhost:4000' }, 4000),
    ).toBeUndefined();
  });

  it('refuses a rebound name, another port or no Host', () => {
    expect(refuseNonLoopback({ host: 'evil.example:4000' }, 4000)).toMatch(
      /Host "evil.example:4000"/,
    );
    expect(refuseNonLoopback({ host: '127.0.0.1:4001' }, 4000)).toMatch(
      /is not this computer's studio/,
    );
    expect(refuseNonLoopback({ host: '127.0.0.1' }, 4000)).toBeDefined();
    expect(refuseNonLoopback({}, 4000)).toBeDefined();
  });

  it('refuses a foreign, opaque or https Origin even with a loopback Host', () => {
    for (const origin of [
      'http://evil.example',
      'null',
      'https://127.0.0.1:4000',
      'http://127.0.0.1:4001',
    ]) {
      expect(refuseNonLoopback({ host: '127.0.0.1:4000', origin }, 4000)).toMatch(
        /may not call the studio/,
      );
    }
  });
});
