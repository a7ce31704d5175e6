import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TWO_FACTOR_REQUIRED_TYPE } from '../../../../shared/src/contracts/runner-api/problem';
import { TWO_FACTOR_SETUP_LABEL } from '../runner/two-factor-required';
import { ProblemAlert } from './problem-alert';

const render = (problem: Parameters<typeof ProblemAlert>[0]['problem']) =>
  renderToStaticMarkup(createElement(ProblemAlert, { problem }));

// (failureOf, which builds these from a tRPC error, is met in the 2FA Chromium e2e: the client
// module connects on import.)

describe('ui: ProblemAlert', () => {
  it('offers the two-factor set-up for the runner’s two-factor-required problem type', () => {
    const html = render({
      message: 'The runner refused (403): enrol first',
      problemType: TWO_FACTOR_REQUIRED_TYPE,
    });
    expect(html).toContain('role="alert"');
    expect(html).toContain('The runner refused (403): enrol first');
    expect(html).toContain(`<button type="button" class="btn btn-small">${TWO_FACTOR_SETUP_LABEL}`);
  });

  it('goes by the type, not the wording', () => {
    const wording =
      'The runner refused (403): administrators must enable two-factor authentication first';
    for (const problem of [
      wording,
      { message: wording },
      { message: wording, problemType: 'https://maestro.dev/problems/403' },
    ]) {
      const html = render(problem);
      expect(html).toContain('two-factor authentication first');
      expect(html).not.toContain('<button');
    }
    expect(render(null)).toBe('');
  });
});
