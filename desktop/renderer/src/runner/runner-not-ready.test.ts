import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RunnerNotReady } from './runner-not-ready';
import type { RunnerProfile } from './runner-store';

const render = (profile: Partial<RunnerProfile> | undefined) =>
  renderToStaticMarkup(
    createElement(RunnerNotReady, { profile: profile as RunnerProfile | undefined }),
  );

describe('runner: RunnerNotReady', () => {
  it('says what is missing, and leads to the Runner page', () => {
    expect(render(undefined)).toContain('No runner is set up yet.');
    expect(render({ name: 'Prod', signedIn: false })).toContain('Sign in to Prod first.');
    expect(render({ name: 'Prod', signedIn: true, organizationId: null })).toContain(
      'Choose an organization on Prod first.',
    );
    expect(render(undefined)).toMatch(
      /<button type="button" class="link-btn">Go to the Runner page/,
    );
  });
});
