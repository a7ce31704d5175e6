import { describe, expect, it } from 'vitest';
import { createRunProgress } from './run-progress';
import { noStyle } from './terminal-style';

describe('run progress lines', () => {
  it('names the attempt that failed and the one about to start', () => {
    const lines: string[] = [];
    const progress = createRunProgress({ write: (l) => lines.push(l), live: true, style: noStyle });
    const at = new Date().toISOString();
    progress.onEvent({ type: 'step.started', stepId: 'call', attempt: 1, at, input: {} });
    progress.onEvent({
      type: 'step.retrying',
      stepId: 'call',
      attempt: 2,
      delayMs: 250,
      error: { code: 'HTTP_STATUS', message: 'GET http://x returned 503' },
      at,
    });
    progress.onEvent({ type: 'step.started', stepId: 'call', attempt: 2, at, input: {} });
    progress.close();
    expect(lines[0]).toMatch(/▸ call started$/);
    expect(lines[1]).toMatch(
      /↻ call attempt 1 failed \(HTTP_STATUS GET http:\/\/x returned 503\); attempt 2 in 250 ?ms$/,
    );
    expect(lines[2]).toMatch(/▸ call started \(attempt 2\)$/);
  });
});
