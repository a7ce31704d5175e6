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
    hookTimeout: 60_000,
  },
});
