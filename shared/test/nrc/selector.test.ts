import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matchSelector, parseSelectorString, selectorsOverlap, type LabelSelector, type SelectorRequirement } from '../../src/index.ts';
import { FUZZ_RUNS } from '../fuzz-runs.ts';

const worker = { 'node-role.kubernetes.io/worker': '', zone: 'a', tier: 'gpu' };

describe('matchSelector', () => {
  const cases: { name: string; selector: unknown; labels: Record<string, string>; expected: boolean | 'error' }[] = [
    { name: 'empty selector matches every node', selector: {}, labels: worker, expected: true },
    { name: 'absent selector matches every node', selector: undefined, labels: {}, expected: true },
    {
      name: 'matchLabels with empty value',
      selector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } },
      labels: worker,
      expected: true,
    },
    { name: 'matchLabels mismatch', selector: { matchLabels: { zone: 'b' } }, labels: worker, expected: false },
    { name: 'matchLabels missing label', selector: { matchLabels: { gpu: 'true' } }, labels: worker, expected: false },
    {
      name: 'In hit',
      selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
      labels: worker,
      expected: true,
    },
    { name: 'In miss', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['c'] }] }, labels: worker, expected: false },
    {
      name: 'In on a missing label',
      selector: { matchExpressions: [{ key: 'rack', operator: 'In', values: ['1'] }] },
      labels: worker,
      expected: false,
    },
    {
      name: 'NotIn against a missing label matches',
      selector: { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['1'] }] },
      labels: worker,
      expected: true,
    },
    {
      name: 'NotIn against a listed value',
      selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      labels: worker,
      expected: false,
    },
    { name: 'Exists', selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels: worker, expected: true },
    {
      name: 'DoesNotExist on control-plane label (upstream examples)',
      selector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
      labels: worker,
      expected: true,
    },
    {
      name: 'DoesNotExist on a control-plane node',
      selector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
      labels: { 'node-role.kubernetes.io/control-plane': '' },
      expected: false,
    },
    {
      name: 'matchLabels and matchExpressions are ANDed',
      selector: { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      labels: worker,
      expected: false,
    },
    {
      name: 'invalid operator is an error',
      selector: { matchExpressions: [{ key: 'zone', operator: 'Equals', values: ['a'] }] },
      labels: worker,
      expected: 'error',
    },
    {
      name: 'In without values is an error',
      selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] },
      labels: worker,
      expected: 'error',
    },
    {
      name: 'Exists with values is an error',
      selector: { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] },
      labels: worker,
      expected: 'error',
    },
    { name: 'invalid label key is an error', selector: { matchLabels: { 'bad key': 'x' } }, labels: worker, expected: 'error' },
    { name: 'invalid label value is an error', selector: { matchLabels: { zone: 'not valid!' } }, labels: worker, expected: 'error' },
    {
      name: 'matchExpressions that is not a list is an error',
      selector: { matchExpressions: { key: 'zone' } },
      labels: worker,
      expected: 'error',
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = matchSelector(testCase.selector, testCase.labels);
      if (testCase.expected === 'error') {
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.error.length > 0);
      } else {
        assert.deepEqual(result, { ok: true, matches: testCase.expected });
      }
    });
  }
});

// A deliberately different formulation: a selector is the conjunction of its
// requirements, each a set test over the node's label pairs.
function referenceMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const pairs = new Set(Object.entries(labels).map(([key, value]) => `${key}=${value}`));
  const keys = new Set(Object.keys(labels));
  const labelTests = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => pairs.has(`${key}=${value}`));
  const expressionTests = (selector.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
    const hits = values.filter((value) => pairs.has(`${key}=${value}`)).length;
    if (operator === 'In') return hits > 0;
    if (operator === 'NotIn') return hits === 0;
    if (operator === 'Exists') return keys.has(key);
    return !keys.has(key);
  });
  return [...labelTests, ...expressionTests].every(Boolean);
}

describe('matchSelector properties', () => {
  const key = fc.constantFrom('zone', 'tier', 'node-role.kubernetes.io/worker', 'example.com/gpu');
  const value = fc.constantFrom('', 'a', 'b', 'gpu');
  const labels = fc.dictionary(key, value);
  const requirement = fc.oneof(
    fc.record({
      key,
      operator: fc.constantFrom('In', 'NotIn'),
      values: fc.array(fc.constantFrom('a', 'b', 'gpu'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  );
  const selector = fc.record(
    { matchLabels: fc.dictionary(key, value), matchExpressions: fc.array(requirement, { maxLength: 4 }) },
    { requiredKeys: [] },
  );

  it('agrees with the reference formulation on valid selectors', () => {
    fc.assert(
      fc.property(selector, labels, (sel, nodeLabels) => {
        const result = matchSelector(sel, nodeLabels);
        assert.ok(result.ok);
        assert.equal(result.matches, referenceMatches(sel as LabelSelector, nodeLabels));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('never throws on an arbitrary JSON selector', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.string()), (sel, nodeLabels) => {
        const result = matchSelector(sel, nodeLabels);
        assert.ok(result.ok ? typeof result.matches === 'boolean' : result.error.length > 0);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe("selectorsOverlap, as NRC's webhook decides it", () => {
  const labels = (matchLabels: Record<string, string>) => ({ matchLabels });
  const expression = (key: string, operator: string, values?: string[]) => ({
    matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
  });
  const cases: [string, unknown, unknown, boolean][] = [
    ['the same label', labels({ pool: 'a' }), labels({ pool: 'a' }), true],
    ['two values of one label', labels({ pool: 'a' }), labels({ pool: 'b' }), false],
    ['different labels: a node can carry both', labels({ pool: 'a' }), labels({ zone: 'x' }), true],
    ['In meets NotIn of the same value', expression('pool', 'In', ['a']), expression('pool', 'NotIn', ['a']), false],
    ['In with a value left over after NotIn', expression('pool', 'In', ['a', 'b']), expression('pool', 'NotIn', ['a']), true],
    ['Exists against DoesNotExist', expression('gpu', 'Exists'), expression('gpu', 'DoesNotExist'), false],
    ['DoesNotExist against NotIn', expression('gpu', 'DoesNotExist'), expression('gpu', 'NotIn', ['x']), true],
    ['everything against anything', {}, labels({ pool: 'a' }), true],
    ['a selector that does not parse is taken to overlap', expression('pool', 'Near', ['a']), labels({ pool: 'b' }), true],
  ];
  for (const [name, first, second, overlap] of cases)
    it(name, () => {
      assert.equal(selectorsOverlap(first, second), overlap);
      assert.equal(selectorsOverlap(second, first), overlap);
    });
});

describe('selectorsOverlap never calls two selectors disjoint when a node satisfies both', () => {
  const key = fc.constantFrom('pool', 'zone', 'gpu');
  const value = fc.constantFrom('a', 'b', 'c');
  const requirement = fc.oneof(
    fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }) }),
    fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  );
  const selector = fc.record({ matchExpressions: fc.array(requirement, { maxLength: 3 }) });
  const nodeLabels = fc.dictionary(key, value);
  it('for random selectors and labels', () => {
    fc.assert(
      fc.property(selector, selector, nodeLabels, (first, second, labels) => {
        const both = [first, second].every((entry) => {
          const match = matchSelector(entry, labels);
          return match.ok && match.matches;
        });
        return !both || selectorsOverlap(first, second);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('parseSelectorString, as labels.Parse reads -l and labelSelector', () => {
  const req = (key: string, operator: SelectorRequirement['operator'], ...values: string[]): SelectorRequirement => ({
    key,
    operator,
    values,
  });
  const valid: [string, SelectorRequirement[]][] = [
    ['', []],
    ['   ', []],
    ['a=b', [req('a', 'In', 'b')]],
    ['a==b', [req('a', 'In', 'b')]],
    ['a!=b', [req('a', 'NotIn', 'b')]],
    ['a=', [req('a', 'In', '')]],
    ['a', [req('a', 'Exists')]],
    ['!a', [req('a', 'DoesNotExist')]],
    ['  ! a  ', [req('a', 'DoesNotExist')]],
    ['a in (c,b)', [req('a', 'In', 'b', 'c')]],
    ['a notin (b)', [req('a', 'NotIn', 'b')]],
    ['a in ()', [req('a', 'In', '')]],
    ['a in (b,,c)', [req('a', 'In', '', 'b', 'c')]],
    ['a in (,b)', [req('a', 'In', '', 'b')]],
    ['a in (b,)', [req('a', 'In', '', 'b')]],
    ['a in (b,b)', [req('a', 'In', 'b')]],
    ['in in (in, notin)', [req('in', 'In', 'in', 'notin')]],
    ['a>1,b<20', [req('a', 'Gt', '1'), req('b', 'Lt', '20')]],
    [
      'node-role.kubernetes.io/worker,zone in (a, b),!gpu',
      [req('node-role.kubernetes.io/worker', 'Exists'), req('zone', 'In', 'a', 'b'), req('gpu', 'DoesNotExist')],
    ],
    ['a=b \0,!!!', [req('a', 'In', 'b')]],
    ['a\0=\0b\0,c', [req('a', 'In', 'b'), req('c', 'Exists')]],
  ];
  for (const [text, requirements] of valid)
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseSelectorString(text), { ok: true, requirements }));

  const invalid: [string, string][] = [
    ['a=b\0,!!!', "unable to parse requirement: found '!', expected: identifier"],
    ['!!!', "unable to parse requirement: found '!', expected: identifier"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a in', "unable to parse requirement: found '' expected: '('"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['a>b', "unable to parse requirement: invalid value \"b\": for 'Gt', 'Lt' operators, the value must be an integer"],
    [
      'a<99999999999999999999',
      "unable to parse requirement: invalid value \"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    ['a>-1', 'unable to parse requirement: invalid label value "-1"'],
    ['bad key=x', "unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt"],
    ['-a=x', `unable to parse requirement: invalid label key "-a": name must be 1-63 alphanumerics, '-', '_' or '.'`],
    ['Example.com/a=x', 'unable to parse requirement: invalid label key "Example.com/a": prefix must be a DNS subdomain'],
    ['a=not_valid_', 'unable to parse requirement: invalid label value "not_valid_"'],
    ['a\vb', `unable to parse requirement: invalid label key "a\vb": name must be 1-63 alphanumerics, '-', '_' or '.'`],
  ];
  for (const [text, error] of invalid)
    it(`refuses ${JSON.stringify(text)}`, () => assert.deepEqual(parseSelectorString(text), { ok: false, error }));

  // Requirements written out with arbitrary spacing read back as themselves.
  const key = fc.constantFrom('zone', 'in', 'notin', 'node-role.kubernetes.io/worker', 'example.com/gpu');
  const value = fc.constantFrom('a', 'b', 'gpu', 'in', '1');
  const space = fc.constantFrom('', ' ', '\t', '  ');
  const requirement = fc.oneof(
    fc.record({
      key,
      operator: fc.constantFrom('In' as const, 'NotIn' as const),
      values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant<string[]>([]) }),
    fc.record({ key, operator: fc.constantFrom('Gt' as const, 'Lt' as const), values: fc.tuple(fc.constantFrom('0', '7', '42')) }),
  );
  const written = (requirement: SelectorRequirement, s: string): string => {
    const { key, operator, values } = requirement;
    if (operator === 'Exists') return `${s}${key}${s}`;
    if (operator === 'DoesNotExist') return `${s}!${s}${key}${s}`;
    if (operator === 'Gt' || operator === 'Lt') return `${key}${s}${operator === 'Gt' ? '>' : '<'}${s}${values[0]}`;
    const word = operator === 'In' ? 'in' : 'notin';
    return `${s}${key} ${word}${s}(${values.join(`${s},${s}`)})${s}`;
  };
  it('reads back any requirements written out', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(requirement, space), { minLength: 1, maxLength: 4 }), (pairs) => {
        const text = pairs.map(([entry, s]) => written(entry, s)).join(',');
        const expected = pairs.map(([entry]) => ({ ...entry, values: [...entry.values].sort() }));
        assert.deepEqual(parseSelectorString(text), { ok: true, requirements: expected });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('never throws on an arbitrary string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '=', '!', '(', ')', ',', '<', '>', ' ', 'in', 'notin', '/', '.') }), (text) => {
        const result = parseSelectorString(text);
        assert.ok(result.ok || result.error.length > 0);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
