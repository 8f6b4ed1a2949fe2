// -o json is written in pieces (serializeChunks) so a large report is never
// one string; the pieces must still be JSON.stringify's text, byte for byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serialize, serializeChunks } from '../src/render.ts';

const asStringify = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('serializeChunks as JSON', () => {
  it('is JSON.stringify with two spaces, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal([...serializeChunks(value, 'json')].join(''), asStringify(value));
      }),
      { numRuns: 500 },
    );
  });

  const cases: [name: string, value: unknown][] = [
    [
      'a report with lists of objects',
      { kind: 'VerifyReport', findings: [{ id: 'a', evidence: ['x\ny', 'z'] }, { id: 'b' }], passed: false },
    ],
    ['fields JSON leaves out, and holes it writes as null', { gone: undefined, kept: 1, list: [undefined, () => 1, 2] }],
    ['empty lists and objects at every level', { a: [], b: {}, c: [[], {}], d: [{ e: [] }] }],
    ['a Date, through its toJSON', { at: new Date(0), list: [new Date(1)] }],
    ['a bare value', 'text with "quotes" and a\nnewline'],
  ];
  for (const [name, value] of cases)
    it(name, () => {
      assert.equal([...serializeChunks(value, 'json')].join(''), asStringify(value));
    });

  it('writes a report of many findings one finding at a time', () => {
    const findings = Array.from({ length: 1000 }, (_, index) => ({ id: `finding-${index}`, evidence: ['a'.repeat(100)] }));
    const chunks = [...serializeChunks({ findings }, 'json')];
    assert.ok(Math.max(...chunks.map((chunk) => chunk.length)) < 300, 'one piece holds more than one finding');
    assert.equal(chunks.join(''), serialize({ findings }, 'json'));
  });
});
