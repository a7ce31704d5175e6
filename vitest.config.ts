import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'desktop/**/*.test.ts',
      'runner/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'out/**', 'dist/**'],
    testTimeout: 30_000,
    // One scrypt pass per password hash instead of production's five (OWASP's N=2^14, p=5):
    // the suites hash thousands of passwords. passwords.test.ts checks the production default.
    env: { MAESTRO_SCRYPT_P: '1' },
    hookTimeout: 60_000,
  },
});
