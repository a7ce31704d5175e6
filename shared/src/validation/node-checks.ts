import { findTemplateErrors, isPlainObject } from '../expressions/config-tree';
import { compileTemplate, hasTemplate, TemplateParseError } from '../expressions/template';
import type { NodeDefinition } from '../nodes/node-definition';
import { getNodeDefinition, isTriggerType, NODE_TYPES } from '../nodes/registry';
import { formatPath, valueAt } from './paths';
import type { ValidationError } from './zod-issues';
import { issuesToErrors } from './zod-issues';

const STEP_ONLY_FIELDS = ['retry', 'timeoutMs', 'forEach', 'concurrency'] as const;
const DEDUPE_TYPES = new Set(['trigger.webhook', 'trigger.poll']);

/** Everything about one node that does not involve the graph: type, node-level fields, config. */
export function checkNode(node: Record<string, unknown>, index: number): ValidationError[] {
  const type = node.type;
  if (typeof type !== 'string') return [];
  const at = (...rest: PropertyKey[]) => formatPath(['nodes', index, ...rest]);
  const definition = getNodeDefinition(type);
  if (!definition) {
    return [
      {
        path: at('type'),
        message: `unknown node type "${type}" (known: ${NODE_TYPES.join(', ')})`,
      },
    ];
  }
  const errors: ValidationError[] = [];
  const trigger = isTriggerType(type);
  for (const field of STEP_ONLY_FIELDS) {
    if (trigger && node[field] !== undefined)
      errors.push({ path: at(field), message: `a trigger takes no ${field}` });
  }
  for (const field of ['dedupeKey', 'dedupeWindowSeconds']) {
    if (node[field] !== undefined && !DEDUPE_TYPES.has(type)) {
      errors.push({
        path: at(field),
        message: `only trigger.webhook and trigger.poll take a ${field}`,
      });
    }
  }
  if (node.concurrency !== undefined && node.forEach === undefined) {
    errors.push({ path: at('concurrency'), message: 'concurrency only applies with forEach' });
  }
  for (const field of ['forEach', 'dedupeKey']) {
    const message = templateFieldError(node[field]);
    if (message) errors.push({ path: at(field), message });
  }
  // A config that is not an object is already reported by the document schema.
  if (node.config === undefined || isPlainObject(node.config)) {
    errors.push(...checkConfig(definition, node.config, ['nodes', index, 'config']));
  }
  return errors;
}

/** forEach / dedupeKey / poll items and key: a string that must be one parsing template. */
function templateFieldError(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!hasTemplate(value)) return 'must be a {{ }} template';
  try {
    compileTemplate(value);
    return undefined;
  } catch (error) {
    return `template does not parse: ${error instanceof TemplateParseError ? error.message : String(error)}`;
  }
}

/**
 * The config against its type's strict schema. A string holding a template is
 * computed at run time, so type errors at (or under) it are not reported here.
 */
export function checkConfig(
  definition: NodeDefinition,
  raw: unknown,
  base: PropertyKey[],
): ValidationError[] {
  const config = raw === undefined ? {} : raw;
  const errors: ValidationError[] = [];
  const parsed = definition.config.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.filter((issue) => !crossesTemplate(config, issue.path));
    errors.push(...issuesToErrors(issues, base, config));
  }
  if (!isPlainObject(config)) return errors;
  for (const key of definition.requiredKeys ?? []) {
    if (!Object.hasOwn(config, key))
      errors.push({ path: formatPath([...base, key]), message: 'required' });
  }
  for (const error of findTemplateErrors(config, { literalKeys: definition.literalKeys })) {
    errors.push({ path: formatPath([...base, ...error.path]), message: error.message });
  }
  if (definition.type === 'trigger.poll') {
    for (const key of ['items', 'key']) {
      const message = templateFieldError(config[key]);
      if (message) errors.push({ path: formatPath([...base, key]), message });
    }
  }
  return errors;
}

function crossesTemplate(root: unknown, path: readonly PropertyKey[]): boolean {
  for (let length = 0; length <= path.length; length++) {
    const value = valueAt(root, path.slice(0, length));
    if (typeof value === 'string') return hasTemplate(value);
  }
  return false;
}
