/**
 * Places the shared validator's errors in the editor: which node (by index
 * in the document, which is the canvas order) and which field they name.
 */
import type { ValidationError } from '../../../../shared/src/validation/validate-workflow';
import { formatValidationError } from '../../../../shared/src/validation/validate-workflow';

export interface PlacedIssue {
  path: string;
  message: string;
  /** Exactly what `maestro validate` prints for it. */
  text: string;
  nodeId?: string;
  /** Segments after `nodes[i]`, e.g. ['config', 'url'] or ['retry', 'maxAttempts']. */
  fieldPath?: string[];
}

/** `config.headers["x-api-key"]` → ['config', 'headers', 'x-api-key']. */
export function splitPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

export function placeIssues(errors: ValidationError[], nodeIds: string[]): PlacedIssue[] {
  return errors.map((error) => {
    const placed: PlacedIssue = {
      path: error.path,
      message: error.message,
      text: formatValidationError(error),
    };
    const [head, index, ...rest] = splitPath(error.path);
    if (head === 'nodes' && typeof index === 'number' && nodeIds[index] !== undefined) {
      placed.nodeId = nodeIds[index];
      placed.fieldPath = rest.map(String);
    }
    return placed;
  });
}

/** Issues a field shows: those whose path is the field's or lies inside it. */
export function issuesForField(
  issues: PlacedIssue[],
  nodeId: string,
  fieldPath: string[],
): PlacedIssue[] {
  return issues.filter(
    (issue) =>
      issue.nodeId === nodeId &&
      issue.fieldPath !== undefined &&
      issue.fieldPath.length >= fieldPath.length &&
      fieldPath.every((segment, i) => issue.fieldPath![i] === segment),
  );
}
