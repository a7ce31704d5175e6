import { describe, expect, it } from 'vitest';
import { monthWindow, secondsUntilNextMonth } from './month-window';

describe('monthWindow', () => {
  it('puts the last second of a month in that month, the next instant in the next', () => {
    expect(monthWindow(new Date('2026-11-30T23:59:59.999Z')).month).toBe('2026-11');
    expect(monthWindow(new Date('2026-12-01T00:00:00.000Z')).month).toBe('2026-12');
  });

  it('rolls the year over in December', () => {
    const w = monthWindow(new Date('2026-12-31T23:59:59Z'));
    expect(w.start.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(w.next.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('counts in UTC whatever the local offset of the moment written', () => {
    // 00:30 on 1 March in Paris is still February in UTC.
    expect(monthWindow(new Date('2027-03-01T00:30:00+01:00')).month).toBe('2027-02');
  });

  it('handles leap years', () => {
    expect(monthWindow(new Date('2028-02-29T12:00:00Z')).next.toISOString()).toBe(
      '2028-03-01T00:00:00.000Z',
    );
  });
});

describe('secondsUntilNextMonth', () => {
  it('is the time to midnight UTC on the first of next month', () => {
    expect(secondsUntilNextMonth(new Date('2026-11-30T23:59:00Z'))).toBe(60);
    expect(secondsUntilNextMonth(new Date('2026-11-01T00:00:00Z'))).toBe(30 * 86_400);
  });

  it('never answers 0 (a Retry-After of 0 invites a busy loop)', () => {
    expect(secondsUntilNextMonth(new Date('2026-11-30T23:59:59.9995Z'))).toBe(1);
  });
});
