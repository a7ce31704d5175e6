import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workflow } from '../../../shared/src/index';
import { validationIssues } from '../workflows/document-facts';

export interface Template {
  id: string;
  name: string;
  description: string;
  category: string;
  document: Workflow;
  sampleInput?: unknown;
}

const CATEGORY_BY_TRIGGER: Record<string, string> = {
  'trigger.webhook': 'Webhooks',
  'trigger.schedule': 'Scheduled',
  'trigger.poll': 'Polling',
  'trigger.manual': 'Manual',
};

/**
 * The starter gallery: every valid `examples/*.maestro.json`, with its sample
 * input from `examples/inputs/<id>.json`. Read on each call (a dozen small
 * files) so that the gallery always shows what is on disk.
 */
export function loadTemplates(examplesDir: string): Template[] {
  if (!existsSync(examplesDir)) return [];
  const templates: Template[] = [];
  for (const file of readdirSync(examplesDir)
    .filter((name) => name.endsWith('.maestro.json'))
    .sort()) {
    const id = file.slice(0, -'.maestro.json'.length);
    const document = readJson(join(examplesDir, file)) as Workflow | undefined;
    // An example that does not validate would open broken: leave it out of the gallery.
    if (!document || validationIssues(document).length > 0) continue;
    const inputFile = join(examplesDir, 'inputs', `${id}.json`);
    const sampleInput = existsSync(inputFile) ? readJson(inputFile) : undefined;
    const trigger = document.nodes.find((node) => node.type.startsWith('trigger.'));
    templates.push({
      id,
      name: document.name,
      description: document.description ?? '',
      category: CATEGORY_BY_TRIGGER[trigger?.type ?? ''] ?? 'Other',
      document,
      ...(sampleInput !== undefined ? { sampleInput } : {}),
    });
  }
  return templates;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
