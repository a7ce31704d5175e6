import { describe, expect, it } from 'vitest';
import { commonPasswords, passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('bundles thousands of common passwords and refuses them case-insensitively', () => {
    expect(commonPasswords().size).toBeGreaterThan(10_000);
    expect(passwordProblem('Football2020!')).toMatch(/common/);
    expect(passwordProblem('1q2w3e4r5t')).toMatch(/common/);
    expect(passwordProblem('violet staple orbit 42')).toBeNull();
  });
  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblem('😀😀😀😀😀')).toMatch(/at least 10/);
    expect(passwordProblem('ünïcødé wörds ok')).toBeNull();
  });
});
