import { describe, expect, it } from 'vitest';
import { qrMatrix } from './qr-matrix';

/** The dark modules the path draws, as "x,y". */
function darkModules(path: string): Set<string> {
  return new Set([...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

/** A finder pattern (7×7: dark ring, light ring, dark 3×3 centre) with its corner at (x, y). */
function isFinder(dark: Set<string>, x: number, y: number): boolean {
  for (let dy = 0; dy < 7; dy++)
    for (let dx = 0; dx < 7; dx++) {
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      if (dark.has(`${x + dx},${y + dy}`) !== (ring !== 2)) return false;
    }
  return true;
}

describe('qrMatrix', () => {
  const uri =
    'otpauth://totp/Maestro:ada%40example.com?issuer=Maestro&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';

  it('draws a QR symbol with its three finder patterns inside a 4-module quiet zone', () => {
    const { size, path } = qrMatrix(uri);
    const modules = size - 8;
    expect((modules - 17) % 4).toBe(0); // 4 × version + 17
    const dark = darkModules(path);
    expect(isFinder(dark, 4, 4)).toBe(true);
    expect(isFinder(dark, 4 + modules - 7, 4)).toBe(true);
    expect(isFinder(dark, 4, 4 + modules - 7)).toBe(true);
    expect(isFinder(dark, 4 + modules - 7, 4 + modules - 7)).toBe(false);
    for (const module of dark) {
      const [x, y] = module.split(',').map(Number) as [number, number];
      expect(Math.min(x, y)).toBeGreaterThanOrEqual(4);
      expect(Math.max(x, y)).toBeLessThan(size - 4);
    }
  });

  it('gives another symbol for another secret', () => {
    expect(qrMatrix(uri).path).not.toBe(qrMatrix(uri.replace('JBSW', 'KBSW')).path);
  });
});
