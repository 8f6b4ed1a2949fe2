import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { describeTaint, evaluateRule, parseRuleDocuments, readinessEvents } from '../../src/index.ts';
import { NOW, condition, minutesAgo, networkTaint, node } from '../nodes.ts';
import { ruleYaml } from '../rules.ts';

describe('parseRuleDocuments', () => {
  const cases: [string, string, number | RegExp][] = [
    ['one document', ruleYaml, 1],
    ['two documents', `${ruleYaml}---\n${ruleYaml}`, 2],
    ['a List', JSON.stringify({ kind: 'List', items: [parse(ruleYaml), parse(ruleYaml)] }), 2],
    [
      'a rule the CRD rejects',
      ruleYaml.replace('"True"', 'Maybe'),
      /^NodeReadinessRule network would be rejected by NRC: spec\.conditions\[0\]\.requiredStatus/,
    ],
    ['malformed YAML', 'kind: [\n', /^invalid YAML: /],
    ['another kind', 'kind: Pod\n', /^expected kind NodeReadinessRule, found "Pod"$/],
    ['empty text', '', /^no NodeReadinessRule found$/],
  ];
  for (const [name, text, expected] of cases)
    it(name, () => {
      const parsed = parseRuleDocuments(text);
      if (typeof expected === 'number') assert.equal(parsed.ok && parsed.rules.length, expected);
      else assert.match(parsed.ok ? 'ok' : parsed.error, expected);
    });
});

describe('describeTaint', () => {
  const rule = parseRuleDocuments(ruleYaml);
  assert.ok(rule.ok);
  const calico = (status: string) => [condition('projectcalico.org/CalicoReady', status)];
  const cases: [string, Parameters<typeof node>[1], string][] = [
    ['held', { taints: [networkTaint], conditions: calico('False') }, 'present, expected'],
    ['ready', { conditions: calico('True') }, 'absent, not expected'],
    [
      'value differs, other effect',
      {
        taints: [
          { ...networkTaint, value: 'x' },
          { ...networkTaint, effect: 'NoExecute' },
        ],
        conditions: calico('False'),
      },
      'present, expected; value "x" differs from the rule\'s "pending"; same key with effect NoExecute does not count',
    ],
  ];
  for (const [name, options, expected] of cases)
    it(name, () => assert.equal(describeTaint(evaluateRule(rule.rules[0], node('n', options), { now: NOW })), expected));
});

describe('readinessEvents', () => {
  it('keeps the taint events, newest first, with their age', () => {
    const events = [
      { type: 'Normal', reason: 'TaintAdded', message: 'added', lastTimestamp: minutesAgo(10) },
      { type: 'Normal', reason: 'Pulled', message: 'image', lastTimestamp: minutesAgo(1) },
      { type: 'Normal', reason: 'TaintRemoved', message: '<b>removed</b>', eventTime: minutesAgo(2) },
      { type: 'Normal', reason: 'TaintAdopted', message: 'no time' },
      null,
    ];
    assert.deepEqual(readinessEvents(events, NOW), [
      { type: 'Normal', reason: 'TaintRemoved', ageSeconds: 120, message: '<b>removed</b>' },
      { type: 'Normal', reason: 'TaintAdded', ageSeconds: 600, message: 'added' },
      { type: 'Normal', reason: 'TaintAdopted', ageSeconds: null, message: 'no time' },
    ]);
  });
});
