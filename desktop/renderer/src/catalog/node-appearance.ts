/** How each node type looks on the canvas and in the palette (font-independent glyphs). */
const GLYPHS: Record<string, string> = {
  'trigger.manual': '▶',
  'trigger.webhook': 'WH',
  'trigger.schedule': 'CRON',
  'trigger.poll': '⟳',
  'action.http': 'HTTP',
  transform: '{ }',
  'code.js': 'JS',
  'branch.if': 'IF',
  'csv.parse': 'CSV',
  'csv.format': 'CSV',
  respond: '↩',
  'flow.fail': '✕',
};

export function glyphFor(type: string): string {
  return GLYPHS[type] ?? '?';
}

export const CATEGORY_LABELS: Record<string, string> = {
  trigger: 'Triggers',
  action: 'Actions',
  data: 'Data',
  logic: 'Logic',
  flow: 'Flow',
};
