import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ruleConflicts, ruleProblems } from '../../src/index.ts';
import { ruleYaml } from '../rules.ts';
import { loadManifests, ofKind, upstreamDir } from '../fixtures.ts';

describe("ruleProblems: what the CRD schema and NRC's webhook reject", () => {
  const valid = parse(ruleYaml) as { spec: Record<string, unknown> };
  const withSpec = (change: Record<string, unknown>) => ({ ...valid, spec: { ...valid.spec, ...change } });
  const cases: [string, unknown, string[]][] = [
    ['a valid rule', valid, []],
    ['no conditions', withSpec({ conditions: [] }), ['spec.conditions has 0 entries, not 1 to 32']],
    [
      'too many conditions',
      withSpec({ conditions: Array.from({ length: 33 }, (_, index) => ({ type: `c${index}`, requiredStatus: 'True' })) }),
      ['spec.conditions has 33 entries, not 1 to 32'],
    ],
    [
      'an unknown status',
      withSpec({ conditions: [{ type: 'X', requiredStatus: 'Maybe', defaultStatus: 'yes' }] }),
      [
        'spec.conditions[0].requiredStatus "Maybe" is not one of True, False, Unknown',
        'spec.conditions[0].defaultStatus "yes" is not one of True, False, Unknown',
      ],
    ],
    ['an empty condition type', withSpec({ conditions: [{ requiredStatus: 'True' }] }), ['spec.conditions[0].type is empty']],
    ['an unknown policy', withSpec({ conditionPolicy: 'mostOf' }), ['spec.conditionPolicy "mostOf" is not one of allOf, anyOf']],
    ['no mode', withSpec({ enforcementMode: undefined }), ['spec.enforcementMode null is not one of bootstrap-only, continuous']],
    [
      'a taint outside readiness.k8s.io/',
      withSpec({ taint: { key: 'example.com/x', effect: 'NoRun' } }),
      [
        'spec.taint.key "example.com/x" does not start with readiness.k8s.io/',
        'spec.taint.effect "NoRun" is not one of NoSchedule, PreferNoSchedule, NoExecute',
      ],
    ],
    [
      'a taint key without a name part',
      withSpec({ taint: { key: 'readiness.k8s.io/', effect: 'NoSchedule' } }),
      ['spec.taint.key "readiness.k8s.io/" must have a name part of 1-63 characters'],
    ],
    [
      'a taint key with two slashes',
      withSpec({ taint: { key: 'readiness.k8s.io/a/b', effect: 'NoSchedule' } }),
      ['spec.taint.key "readiness.k8s.io/a/b" must have exactly one \'/\''],
    ],
    [
      'a taint key name ending in a dash',
      withSpec({ taint: { key: 'readiness.k8s.io/Net-', effect: 'NoSchedule' } }),
      ["spec.taint.key \"readiness.k8s.io/Net-\" name part must be alphanumerics, '-', '_' or '.', starting and ending alphanumeric"],
    ],
    [
      'a taint value over 63 characters',
      withSpec({ taint: { key: 'readiness.k8s.io/Net', effect: 'NoSchedule', value: 'x'.repeat(64) } }),
      ['spec.taint.value is longer than 63 characters'],
    ],
    ['no selector', withSpec({ nodeSelector: undefined }), ['spec.nodeSelector is missing']],
    ['an empty selector (the webhook)', withSpec({ nodeSelector: {} }), ['spec.nodeSelector must not be empty']],
    [
      'bootstrap-only with a defaultStatus (the webhook)',
      withSpec({ enforcementMode: 'bootstrap-only', conditions: [{ type: 'X', requiredStatus: 'True', defaultStatus: 'False' }] }),
      ['spec.conditions[0].defaultStatus should not be used with bootstrap-only enforcementMode'],
    ],
    [
      'bootstrap-only with anyOf (the webhook)',
      withSpec({ enforcementMode: 'bootstrap-only', conditionPolicy: 'anyOf' }),
      ['spec.conditionPolicy anyOf is not supported with bootstrap-only enforcementMode'],
    ],
    [
      'continuous with anyOf and a defaultStatus',
      withSpec({ conditionPolicy: 'anyOf', conditions: [{ type: 'X', requiredStatus: 'True', defaultStatus: 'False' }] }),
      [],
    ],
    [
      'not an object',
      'rule',
      [
        'spec.conditions has 0 entries, not 1 to 32',
        'spec.enforcementMode null is not one of bootstrap-only, continuous',
        'spec.taint.key "" does not start with readiness.k8s.io/',
        'spec.taint.effect null is not one of NoSchedule, PreferNoSchedule, NoExecute',
        'spec.nodeSelector is missing',
      ],
    ],
  ];
  for (const [name, rule, problems] of cases) it(name, () => assert.deepEqual(ruleProblems(rule), problems));

  it("accepts every rule in NRC's examples and e2e data", () => {
    const rules = ofKind(loadManifests(), 'NodeReadinessRule');
    assert.ok(rules.length >= 4);
    for (const rule of rules) assert.deepEqual(ruleProblems(rule.object), [], rule.file);
  });

  it("uses the CRD's own enums", () => {
    const crd = parse(readFileSync(join(upstreamDir, 'config/crd/bases/readiness.node.x-k8s.io_nodereadinessrules.yaml'), 'utf8'));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    const condition = spec.conditions.items.properties;
    assert.deepEqual(condition.requiredStatus.enum, ['True', 'False', 'Unknown']);
    assert.deepEqual(condition.defaultStatus.enum, ['True', 'False', 'Unknown']);
    assert.deepEqual([spec.conditions.minItems, spec.conditions.maxItems], [1, 32]);
    assert.deepEqual(spec.conditionPolicy.enum, ['allOf', 'anyOf']);
    assert.deepEqual(spec.enforcementMode.enum, ['bootstrap-only', 'continuous']);
  });
});

describe("ruleConflicts: NRC's webhook against the rules already there", () => {
  const rule = (name: string, nodeSelector: unknown, effect = 'NoSchedule') => ({
    metadata: { name },
    spec: { taint: { key: 'readiness.k8s.io/NetworkReady', effect }, nodeSelector },
  });
  const workers = { matchLabels: { 'node-role.kubernetes.io/worker': '' } };
  const existing = [rule('network', workers)];
  const cases: [string, unknown, number][] = [
    [
      'the same taint on an overlapping selector',
      rule('network-2', { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'Exists' }] }),
      1,
    ],
    [
      'the same taint on a disjoint selector',
      rule('gpu', { matchExpressions: [{ key: 'node-role.kubernetes.io/worker', operator: 'DoesNotExist' }] }),
      0,
    ],
    ['another effect', rule('network-exec', workers, 'NoExecute'), 0],
    ['itself, updated', rule('network', workers), 0],
  ];
  for (const [name, candidate, count] of cases) it(name, () => assert.equal(ruleConflicts(candidate, existing).length, count));

  it("names the rule it conflicts with, as NRC's message does", () => {
    assert.match(ruleConflicts(rule('network-2', workers), existing)[0]!, /^spec\.taint\.key conflicts with existing rule 'network'/);
  });
});
