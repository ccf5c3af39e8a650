import { readFileSync } from 'node:fs';

/** Reads docs/schema.md: each `### \`name\`` section's column table → column names. */
export function documentedSchema(path: string): Map<string, string[]> {
  const text = readFileSync(path, 'utf8');
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const heading = /^### `([a-z_0-9]+)`/.exec(line);
    if (heading) {
      current = [];
      sections.set(heading[1], current);
      continue;
    }
    if (line.startsWith('## ')) current = null;
    const row = /^\| ([a-z_0-9]+) \|/.exec(line);
    if (current && row && row[1] !== 'column') current.push(row[1]);
  }
  return sections;
}
