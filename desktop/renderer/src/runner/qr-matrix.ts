import { encode } from 'uqr';

/**
 * A QR code (ISO/IEC 18004) of `text` as one SVG path of 1×1 squares, with the 4-module quiet
 * zone scanners need; drawn here, so the otpauth URI (it holds the TOTP secret) never leaves the
 * window for an image service.
 */
export function qrMatrix(text: string): { size: number; path: string } {
  const { size, data } = encode(text, { ecc: 'M', border: 4 });
  let path = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { size, path };
}
