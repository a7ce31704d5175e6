import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../../../shared/src/validation/validate-workflow';
import { issuesForField, placeIssues, splitPath } from './issue-paths';

describe('placing validator errors on nodes and fields', () => {
  it('splits the JSON paths the validator writes', () => {
    expect(splitPath('nodes[2].config.url')).toEqual(['nodes', 2, 'config', 'url']);
    expect(splitPath('nodes[0].config.headers["x-api-key"]')).toEqual([
      'nodes',
      0,
      'config',
      'headers',
      'x-api-key',
    ]);
    expect(splitPath('')).toEqual([]);
  });

  it('attaches real validator errors to the node and field they name, with the CLI wording', () => {
    const result = validateWorkflow({
      format: 'maestro/workflow@1',
      name: 'x',
      nodes: [
        { id: 'start', type: 'trigger.manual' },
        {
          id: 'call',
          type: 'action.http',
          config: { body: { a: '{{ (' } },
          retry: { maxAttempts: 99 },
        },
      ],
      edges: [{ from: 'start', to: 'call' }],
    });
    if (result.ok) throw new Error('expected errors');
    const issues = placeIssues(result.errors, ['start', 'call']);
    expect(issues.every((i) => i.nodeId === 'call')).toBe(true);
    expect(issuesForField(issues, 'call', ['config', 'url']).map((i) => i.text)).toEqual([
      'nodes[1].config.url: required',
    ]);
    // An error deep inside a JSON value shows on the field holding it.
    expect(issuesForField(issues, 'call', ['config', 'body'])).toHaveLength(1);
    expect(issuesForField(issues, 'call', ['config', 'body'])[0]!.text).toMatch(
      /^nodes\[1\]\.config\.body\.a: template does not parse/,
    );
    expect(issuesForField(issues, 'call', ['retry', 'maxAttempts'])).toHaveLength(1);
    expect(issuesForField(issues, 'start', ['config', 'url'])).toEqual([]);
  });
});
