import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ruleProblems } from '../../src/index.ts';
import { ruleYaml } from '../rules.ts';
import { loadManifests, ofKind, upstreamDir } from '../fixtures.ts';

describe('ruleProblems: what the CRD schema rejects', () => {
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
    ['no selector', withSpec({ nodeSelector: undefined }), ['spec.nodeSelector is missing']],
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
