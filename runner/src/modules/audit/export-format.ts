import type { AuditView } from './query';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_COLUMNS = [
  'id',
  'at',
  'organizationId',
  'action',
  'actorUserId',
  'actorApiKeyId',
  'targetType',
  'targetId',
  'ip',
  'userAgent',
  'requestId',
  'details',
] as const satisfies readonly (keyof AuditView)[];

// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180 quoting), defused against formula injection with a leading `'`. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * Turns pages of events into the export's text, chunk by chunk, so a year of events never sits
 * in memory. JSON is one array (a cut-off download does not parse, so it cannot pass for
 * complete); NDJSON is one event per line.
 */
export async function* exportChunks(
  format: ExportFormat,
  pages: AsyncIterable<AuditView[]>,
): AsyncGenerator<string> {
  if (format === 'csv') yield csvRow(CSV_COLUMNS);
  if (format === 'json') yield '[';
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    if (format === 'csv') yield page.map((e) => csvRow(CSV_COLUMNS.map((c) => e[c]))).join('');
    else if (format === 'ndjson') yield page.map((e) => `${JSON.stringify(e)}\n`).join('');
    else {
      yield `${first ? '\n' : ',\n'}${page.map((e) => JSON.stringify(e)).join(',\n')}`;
      first = false;
    }
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
