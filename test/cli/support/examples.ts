import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's examples/ folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** Example names (`webhook-to-crm` for `examples/webhook-to-crm.maestro.json`), sorted. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.maestro.json'))
    .map((file) => file.slice(0, -'.maestro.json'.length))
    .sort();
}

export function examplePath(name: string): string {
  return `${EXAMPLES_DIR}${name}.maestro.json`;
}

/** `examples/inputs/<name>.json`, when the example has one. */
export function exampleInputPath(name: string): string | undefined {
  const path = `${EXAMPLES_DIR}inputs/${name}.json`;
  return existsSync(path) ? path : undefined;
}

export function readExample(name: string): unknown {
  return JSON.parse(readFileSync(examplePath(name), 'utf8')) as unknown;
}

export function readExampleInput(name: string): unknown {
  const path = exampleInputPath(name);
  return path ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : {};
}

/** The `env.X` names a workflow file refers to. */
export function envNamesOf(name: string): string[] {
  const text = readFileSync(examplePath(name), 'utf8');
  return [
    ...new Set([...text.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string)),
  ].sort();
}

/** Every `env.*_URL` of every example pointed at one local server. */
export function envFor(name: string, baseUrl: string): Record<string, string> {
  return Object.fromEntries(envNamesOf(name).map((key) => [key, baseUrl]));
}
