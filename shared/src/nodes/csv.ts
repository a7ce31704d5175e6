import Papa from 'papaparse';
import { z } from 'zod';
import { StepError } from '../engine/step-error';
import { defineNode } from './node-definition';

const Delimiter = z.string().length(1, 'must be one character');

export const csvParseNode = defineNode({
  type: 'csv.parse',
  title: 'Parse CSV',
  description: 'Reads CSV text; output { rows, count } (objects keyed by header, or arrays).',
  category: 'data',
  ports: ['out', 'error'],
  config: z.strictObject({
    text: z.string(),
    delimiter: Delimiter.default(','),
    header: z.boolean().default(true),
  }),
  usesIo: false,
  run: ({ config }) => {
    const parsed = Papa.parse<unknown>(config.text, {
      delimiter: config.delimiter,
      header: config.header,
      skipEmptyLines: true,
    });
    const fatal = parsed.errors.find((e) => e.type !== 'Delimiter');
    if (fatal) {
      const row = fatal.row === undefined ? '' : ` (row ${fatal.row + 1})`;
      return Promise.reject(
        new StepError('CSV', `CSV does not parse${row}: ${fatal.message}`, { retryable: false }),
      );
    }
    return Promise.resolve({ output: { rows: parsed.data, count: parsed.data.length } });
  },
});

const Row = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);

export const csvFormatNode = defineNode({
  type: 'csv.format',
  title: 'Format CSV',
  description: 'Writes rows (objects or arrays) as CSV text; output { text, count }.',
  category: 'data',
  ports: ['out', 'error'],
  config: z.strictObject({
    rows: z.array(Row),
    columns: z.array(z.string()).optional(),
    header: z.boolean().default(true),
    delimiter: Delimiter.default(','),
  }),
  usesIo: false,
  run: ({ config }) => {
    const { rows, delimiter } = config;
    const columns = config.columns ?? firstSeenKeys(rows);
    const cells = rows.map((row) =>
      (Array.isArray(row) ? row : columns.map((column) => row[column])).map(toCell),
    );
    const header = config.header && columns.length > 0 ? [columns] : [];
    const text = Papa.unparse([...header, ...cells], { delimiter, newline: '\n' });
    return Promise.resolve({ output: { text, count: rows.length } });
  },
});

function firstSeenKeys(rows: readonly (Record<string, unknown> | unknown[])[]): string[] {
  const keys = new Set<string>();
  for (const row of rows)
    if (!Array.isArray(row)) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}

/** Missing and null are empty cells; nested values are JSON. */
function toCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
