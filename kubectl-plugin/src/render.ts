// Presentation: kubectl-style aligned tables, colour only where kubectl would
// use it, versioned reports for -o json|yaml, JUnit for CI. Strings from the
// cluster (condition messages above all) are printed as inert text.
import { stringify } from 'yaml';
import type { Finding } from '@kubectl-readiness/shared';
import { CliError } from './errors.ts';

export const REPORT_API_VERSION = 'kubectl-readiness/v1alpha1';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'junit' | 'sarif';

export function parseOutput(value: string | undefined, allowed: OutputFormat[]): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if (!(allowed as string[]).includes(value))
    throw new CliError(`invalid --output "${value}": this command prints ${allowed.filter((format) => format !== 'table').join(', ')}`);
  return value as OutputFormat;
}

/** kubectl's rule (cli-runtime AllowsColorOutput): a terminal, not TERM=dumb, no NO_COLOR. */
export function colorAllowed(stream: { isTTY?: boolean }, noColorFlag: boolean): boolean {
  return !noColorFlag && stream.isTTY === true && process.env['TERM'] !== 'dumb' && process.env['NO_COLOR'] === undefined;
}

const CODES = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export interface Painter {
  (text: string, colour: Colour): string;
}

export function painter(enabled: boolean): Painter {
  return (text, colour) => (enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

/**
 * Makes untrusted text safe for a terminal: control characters (escape
 * sequences, carriage returns, newlines) are shown escaped, never interpreted.
 */
export function inert(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\t') return '\\t';
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

/** An aligned table like kubectl's: upper-case headers, three spaces between columns, <none> for empty cells. */
export function table(headers: string[], rows: string[][]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === '' ? '<none>' : cell)));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => visibleLength(row[column] ?? ''))));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleLength(cell) + 3)))
      .join('')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

export function report(kind: string, body: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: REPORT_API_VERSION, kind, ...body };
}

export function serialize(value: unknown, format: 'json' | 'yaml'): string {
  return [...serializeChunks(value, format)].join('');
}

/**
 * The report as serialize writes it, in pieces: JSON one element of each
 * top-level list at a time, so a report of thousands of findings is never one
 * string in memory (that string and its Buffer copy were most of verify's
 * peak memory at 10,000 ServiceAccounts). The text is JSON.stringify's with
 * two spaces, byte for byte.
 */
export function* serializeChunks(value: unknown, format: 'json' | 'yaml'): Generator<string> {
  if (format === 'yaml') {
    yield stringify(value, { lineWidth: 0 });
    return;
  }
  yield* jsonChunks(value, '', 2);
  yield '\n';
}

const omittedInJson = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

function* jsonChunks(raw: unknown, indent: string, levels: number): Generator<string> {
  const value = typeof (raw as { toJSON?: unknown } | null)?.toJSON === 'function' ? (raw as { toJSON(): unknown }).toJSON() : raw;
  if (levels === 0 || value === null || typeof value !== 'object') {
    // Only formatting puts a newline in JSON.stringify's text: a string's own is escaped.
    yield JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    for (const [index, element] of value.entries()) {
      yield `${index === 0 ? '[' : ','}\n${inner}`;
      if (omittedInJson(element)) yield 'null';
      else yield* jsonChunks(element, inner, levels - 1);
    }
    return yield `\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, field]) => !omittedInJson(field));
  if (entries.length === 0) return yield '{}';
  for (const [index, [key, field]] of entries.entries()) {
    yield `${index === 0 ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonChunks(field, inner, levels - 1);
  }
  yield `\n${indent}}`;
}

function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** One testcase per finding: fail → <failure>, warn → <failure type="warning">, info → <skipped>. */
export function junit(suite: string, findings: Finding[]): string {
  const failures = findings.filter((finding) => finding.severity === 'fail' || finding.severity === 'warn').length;
  const cases = findings.map((finding) => {
    const name = xml(`${finding.id}: ${finding.title}`);
    const detail = xml([...finding.evidence, finding.remediation].filter(Boolean).join('\n'));
    const open = `    <testcase classname="${xml(`${suite}.${finding.subject}`)}" name="${name}">`;
    switch (finding.severity) {
      case 'fail':
        return `${open}\n      <failure type="fail" message="${name}">${detail}</failure>\n    </testcase>`;
      case 'warn':
        return `${open}\n      <failure type="warning" message="${name}">${detail}</failure>\n    </testcase>`;
      case 'info':
        return `${open}\n      <skipped message="${name}"/>\n    </testcase>`;
      case 'pass':
        return `${open}</testcase>`;
    }
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${xml(suite)}" tests="${findings.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
