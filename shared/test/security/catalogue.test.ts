// The catalogue is the one list of escalation classes: each is a file of its
// own, each is proven by a real attack and its nearest denied twin in
// test/e2e, and docs/escalation.md's table is the catalogue, rendered.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CATALOGUE, CATALOGUE_END, CATALOGUE_START, renderCatalogue } from '../../src/security/escalation/catalogue.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const e2eSources = readdirSync(join(root, 'test', 'e2e'))
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => readFileSync(join(root, 'test', 'e2e', file), 'utf8'));

/** Prettier aligns markdown tables; compare cells, not padding. */
const cellsOf = (table: string) =>
  table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
        .map((cell) => (/^-+$/.test(cell) ? '---' : cell)),
    );

describe('the escalation catalogue', () => {
  it('names each class once, by its own file', () => {
    const ids = CATALOGUE.map((entry) => entry.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(existsSync(join(root, 'shared', 'src', 'security', 'escalation', `${id}.ts`)), `${id}.ts`);
  });

  for (const entry of CATALOGUE)
    it(`${entry.id}: every attack and its nearest denied twin is a test in test/e2e`, () => {
      assert.ok(entry.proofs.length > 0, 'a class without a real attack');
      for (const proof of entry.proofs)
        for (const name of [proof.attack, proof.twin])
          assert.ok(
            e2eSources.some((source) => source.includes(name)),
            `no e2e test named "${name}"`,
          );
    });

  it("docs/escalation.md's catalogue table is the catalogue", () => {
    const doc = readFileSync(join(root, 'docs', 'escalation.md'), 'utf8');
    const start = doc.indexOf(CATALOGUE_START);
    const end = doc.indexOf(CATALOGUE_END);
    assert.ok(start >= 0 && end > start, 'docs/escalation.md has no catalogue markers');
    assert.deepEqual(
      cellsOf(doc.slice(start + CATALOGUE_START.length, end)),
      cellsOf(renderCatalogue()),
      'run: node test/docs/escalation-catalogue.ts',
    );
  });
});
