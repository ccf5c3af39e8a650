/** Renders query results as a table (default), JSON or CSV: described once, printed three ways. */
import { ListindexError } from '../errors.js';
export type OutputFormat = 'table' | 'json' | 'csv';

type Row = Record<string, unknown>;

export function render(rows: Row[], columns: string[], format: OutputFormat | 'ndjson'): string {
  if (format === 'ndjson') return rows.map((r) => JSON.stringify(r, jsonReplacer)).join('\n') + (rows.length ? '\n' : '');
  if (format === 'json') return JSON.stringify(rows, jsonReplacer, 2) + '\n';
  if (format === 'csv') return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  return renderTable(rows, columns);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return `<${(value as { data: unknown[] }).data.length} bytes>`;
  return typeof value === 'bigint' ? Number(value) : value;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return String(value);
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const MAX_CELL = 80;

export function renderTable(rows: Row[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => {
    const text = cellText(r[c]).replace(/\s+/g, ' ');
    return text.length > MAX_CELL ? text.slice(0, MAX_CELL - 1) + '…' : text;
  }));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

export type FormatFlags = { json?: boolean; ndjson?: boolean; csv?: boolean };

/** The format the flags ask for; more than one is a usage error, in every command. */
export function outputFormat(flags: FormatFlags): OutputFormat | 'ndjson' {
  const given = (['json', 'ndjson', 'csv'] as const).filter((f) => flags[f]);
  if (given.length > 1) throw new ListindexError('USAGE', `use just one of ${given.map((f) => `--${f}`).join(' or ')}`);
  return given[0] ?? 'table';
}

/** A JSON value, pretty; as NDJSON an array goes out one element a line. */
export function writeJson(value: unknown, format: 'json' | 'ndjson'): void {
  if (format === 'ndjson') {
    for (const item of Array.isArray(value) ? value : [value]) process.stdout.write(JSON.stringify(item) + '\n');
  } else {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}
