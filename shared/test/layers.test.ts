// The core's folders are layers: each may import only its own folder and the
// layers below it, and no import cycle may form anywhere. Checked from the
// source itself, so a new import against the order fails here, not in review.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * Bottom first. Folders in one layer stand side by side and may not import
 * each other: readiness/ and security/ meet only in reports/. "." is
 * src/index.ts, the one entry point the adapters import.
 */
const LAYERS: readonly (readonly string[])[] = [['base'], ['nrc'], ['readiness', 'security'], ['reports'], ['.']];

/** Every relative module a file names: imports, type-only imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

function sourceFiles(): string[] {
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => path.split('\\').join('/'))
    .sort();
}

/** Each file of src, as a path relative to it, with the files it imports. */
function importGraph(): Map<string, string[]> {
  return new Map(
    sourceFiles().map((file) => {
      const text = readFileSync(join(src, file), 'utf8');
      const targets = relativeImports(text).map((name) =>
        relative(src, normalize(join(src, dirname(file), name)))
          .split('\\')
          .join('/'),
      );
      return [file, targets];
    }),
  );
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');
const layerOf = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder));

/** The imports that go sideways or up: "from → to (folder layer → folder layer)". */
function againstTheOrder(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([from, targets]) =>
    targets
      .filter((to) => {
        const [own, their] = [folderOf(from), folderOf(to)];
        return own !== their && layerOf(their) >= layerOf(own);
      })
      .map((to) => `${from} → ${to} (${folderOf(from)} may not import ${folderOf(to)})`),
  );
}

/** Every cycle a depth-first walk closes, as "a → b → a". */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    const open = path.indexOf(file);
    if (open !== -1) {
      found.push([...path.slice(open), file].join(' → '));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('the layers of shared/src', () => {
  const graph = importGraph();

  it('reads imports of every form, type-only and multi-line ones included', () => {
    const text = [
      "import type { A } from './a.ts';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b.ts';",
      "export * from './c.ts';",
      "const d = await import('./d.ts');",
      "import { parse } from 'yaml';",
    ].join('\n');
    assert.deepEqual(relativeImports(text), ['./a.ts', '../b.ts', './c.ts', './d.ts']);
  });

  it('places every file in a declared layer, and imports only files that exist', () => {
    assert.deepEqual(
      [...graph.keys()].filter((file) => layerOf(folderOf(file)) === -1),
      [],
      `folders must be declared in LAYERS: ${LAYERS.map((layer) => layer.join(' | ')).join(' < ')}`,
    );
    assert.deepEqual(
      [...graph].flatMap(([from, targets]) => targets.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`)),
      [],
    );
    assert.ok(
      LAYERS.every((layer) => layer.some((folder) => [...graph.keys()].some((file) => folderOf(file) === folder))),
      'every declared layer holds a file',
    );
  });

  it('imports only downward: own folder, or a lower layer', () => {
    assert.deepEqual(againstTheOrder(graph), []);
  });

  it('has no import cycle', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('would catch a sideways import and a cycle', () => {
    const bad = new Map([
      ['security/a.ts', ['readiness/b.ts']],
      ['readiness/b.ts', ['readiness/c.ts']],
      ['readiness/c.ts', ['readiness/b.ts']],
    ]);
    assert.deepEqual(againstTheOrder(bad), ['security/a.ts → readiness/b.ts (security may not import readiness)']);
    assert.deepEqual(cycles(bad), ['readiness/b.ts → readiness/c.ts → readiness/b.ts']);
  });
});
