/**
 * The output rules every command follows, as small pure functions: which format the flags ask
 * for (flags that exclude each other are a usage error), how a value is written in each format
 * (BLOBs as base64, as sqlite-utils writes them), and row formatters that stream: each row is
 * turned into text as it arrives, so no result is ever held whole.
 */
import { ListindexError } from '../errors.js';

export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv';

/**
 * Throws a usage error when more than one of `names` (option names as commander stores them,
 * e.g. `json`, `csv`) is set: an option is never silently dropped in favour of another.
 */
export function exclusiveFlags(flags: object, names: readonly string[]): void {
  const values = flags as Record<string, unknown>;
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 1) throw new ListindexError('USAGE', `use just one of ${given.map(optionName).join(', ')}`);
}

function optionName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The format chosen by `--json`, `--ndjson` or `--csv` (at most one), else a table. */
export function chooseFormat(flags: { json?: boolean; ndjson?: boolean; csv?: boolean }): OutputFormat {
  exclusiveFlags(flags, ['json', 'ndjson', 'csv']);
  return flags.json ? 'json' : flags.ndjson ? 'ndjson' : flags.csv ? 'csv' : 'table';
}

/** A BLOB in JSON, as sqlite-utils writes it (and reads it back with `insert`). */
export function jsonBlob(value: Uint8Array): { $base64: true; encoded: string } {
  return { $base64: true, encoded: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
}

/** One value as JSON text: BLOBs as {"$base64": true, "encoded": ...}, big integers as numbers. */
export function jsonValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Uint8Array) return JSON.stringify(jsonBlob(value));
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/** One row as a JSON object; columns may repeat a name (`select 1 as a, 2 as a`), each is kept. */
export function jsonObject(columns: readonly string[], values: readonly unknown[]): string {
  return '{' + columns.map((c, i) => JSON.stringify(c) + ':' + jsonValue(values[i])).join(',') + '}';
}

/** One CSV cell: BLOBs as base64 text, NULL as an empty cell, quoted when it must be. */
export function csvCell(value: unknown): string {
  const text = value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : plainText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

/** A value as a table shows it: on one line, never cut (a Message-Id must copy whole). */
export function tableCell(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return plainText(value).replace(/\s+/g, ' ');
}

/** Turns rows into text one at a time; the caller writes what each call returns. */
export interface RowFormatter {
  /** The text for one more row; '' while a table is still collecting the rows that set its widths. */
  push(values: readonly unknown[]): string;
  /** The rest: rows still held, a table's header when there were no rows, JSON's closing bracket. */
  end(): string;
}

export interface FormatOptions {
  /** The terminal's width when the output is a terminal; a table wider than this is shown record by record. */
  width?: number;
  /** How many rows a table looks at to choose its column widths. */
  sampleRows?: number;
}

/** Rows a table holds to size its columns; later rows keep those widths (a longer cell runs over). */
export const TABLE_SAMPLE_ROWS = 1000;

export function rowFormatter(format: OutputFormat, columns: readonly string[], options: FormatOptions = {}): RowFormatter {
  switch (format) {
    case 'json': {
      let rows = 0;
      return {
        push: (values) => (rows++ === 0 ? '[\n' : ',\n') + jsonObject(columns, values),
        end: () => (rows === 0 ? '[]\n' : '\n]\n'),
      };
    }
    case 'ndjson':
      return { push: (values) => jsonObject(columns, values) + '\n', end: () => '' };
    case 'csv': {
      let header = columns.map(csvCell).join(',') + '\n';
      const takeHeader = () => {
        const text = header;
        header = '';
        return text;
      };
      return {
        push: (values) => takeHeader() + values.map(csvCell).join(',') + '\n',
        end: takeHeader,
      };
    }
    case 'table':
      return new TableFormatter(columns, options.width, options.sampleRows ?? TABLE_SAMPLE_ROWS);
  }
}

/**
 * A table sized on its first rows. When the terminal is narrower than the table, each row is
 * shown as a record instead (`column  value` lines, as psql's expanded display), so that no
 * cell has to be cut to fit.
 */
class TableFormatter implements RowFormatter {
  private sample: string[][] | null = [];
  private widths: number[] = [];
  private records = false;
  private recordNumber = 0;

  constructor(private readonly columns: readonly string[], private readonly terminalWidth: number | undefined, private readonly sampleRows: number) {}

  push(values: readonly unknown[]): string {
    const cells = values.map(tableCell);
    if (this.sample) {
      this.sample.push(cells);
      return this.sample.length >= this.sampleRows ? this.flushSample() : '';
    }
    return this.line(cells);
  }

  end(): string {
    return this.sample ? this.flushSample() : '';
  }

  private flushSample(): string {
    const sample = this.sample ?? [];
    this.sample = null;
    this.widths = this.columns.map((c) => c.length);
    for (const row of sample) {
      for (let i = 0; i < row.length; i++) if (row[i].length > this.widths[i]) this.widths[i] = row[i].length;
    }
    const tableWidth = this.widths.reduce((sum, w) => sum + w, 0) + 2 * (this.widths.length - 1);
    this.records = this.terminalWidth !== undefined && tableWidth > this.terminalWidth && sample.length > 0;
    const head = this.records ? '' : this.line(this.columns) + this.line(this.widths.map((w) => '-'.repeat(w)));
    return head + sample.map((row) => this.line(row)).join('');
  }

  private line(cells: readonly string[]): string {
    if (this.records) {
      const nameWidth = Math.max(...this.columns.map((c) => c.length));
      const lines = this.columns.map((c, i) => `${c.padEnd(nameWidth)}  ${cells[i]}`.trimEnd());
      return `${this.recordNumber++ === 0 ? '' : '\n'}-- row ${this.recordNumber}\n${lines.join('\n')}\n`;
    }
    return cells.map((cell, i) => cell.padEnd(this.widths[i])).join('  ').trimEnd() + '\n';
  }
}

/** A whole table at once, for short summaries (import, stats) that are never large. */
export function renderTable(rows: readonly Record<string, unknown>[], columns: readonly string[], options: FormatOptions = {}): string {
  const table = rowFormatter('table', columns, { ...options, sampleRows: Infinity });
  return rows.map((r) => table.push(columns.map((c) => r[c]))).join('') + table.end();
}

/** Renders rows given as objects in any format at once (for commands whose output is small). */
export function render(rows: readonly Record<string, unknown>[], columns: readonly string[], format: OutputFormat, options: FormatOptions = {}): string {
  if (format === 'table') return renderTable(rows, columns, options);
  const formatter = rowFormatter(format, columns, options);
  return rows.map((r) => formatter.push(columns.map((c) => r[c]))).join('') + formatter.end();
}

/** The width a table may take: the terminal's when standard output is one, else none (never cut). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined;
}

/**
 * Writes rows through a formatter to `out`, in pieces of about 64 KB, waiting when the reader
 * is slower: memory stays bounded whatever the number of rows.
 */
export async function writeRows(rows: Iterable<readonly unknown[]>, formatter: RowFormatter, out: NodeJS.WritableStream): Promise<void> {
  let pending = '';
  const flush = async () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for (const values of rows) {
    pending += formatter.push(values);
    if (pending.length >= 65536) await flush();
  }
  pending += formatter.end();
  await flush();
}

/** A JSON value (an API object, or an array of them), pretty; as NDJSON an array goes out one element a line. */
export function writeJson(value: unknown, format: 'json' | 'ndjson'): void {
  if (format === 'ndjson') {
    for (const item of Array.isArray(value) ? value : [value]) process.stdout.write(JSON.stringify(item) + '\n');
  } else {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
}
