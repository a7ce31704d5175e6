import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../main/data-dir';
import { parsePort } from './run-studio';

describe('parsePort', () => {
  it('takes --port, else MAESTRO_STUDIO_PORT, else 0 (a free port)', () => {
    expect(parsePort(['--port', '4321'], { MAESTRO_STUDIO_PORT: '9999' })).toBe(4321);
    expect(parsePort([], { MAESTRO_STUDIO_PORT: '9999' })).toBe(9999);
    expect(parsePort([], {})).toBe(0);
  });

  it('refuses what is not a port', () => {
    expect(() => parsePort(['--port', 'abc'], {})).toThrow(
      /must be a port number \(0-65535\), got "abc"/,
    );
    expect(() => parsePort(['--port', '70000'], {})).toThrow(/must be a port number/);
  });
});

describe('defaultDataDir', () => {
  it('prefers MAESTRO_DATA_DIR, then the OS convention', () => {
    expect(defaultDataDir({ MAESTRO_DATA_DIR: '/data/m' }, 'linux')).toBe('/data/m');
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/maestro');
    expect(defaultDataDir({}, 'linux')).toMatch(/\.local\/share\/maestro$/);
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Maestro$/);
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(
      /Maestro$/,
    );
  });
});
