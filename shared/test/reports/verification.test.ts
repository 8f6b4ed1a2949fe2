import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerPostureQuestions,
  assessReporter,
  discoverReporters,
  nodePosture,
  postureQuestions,
  rbacAnswerer,
  reportersForNode,
  sampleNodes,
  verification,
  type Posture,
  type Reporter,
} from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { rbacFrom, upstream } from '../rbac-fixtures.ts';
import { condition, node } from '../nodes.ts';

const broad = upstream.broad();
const broadReporter = discoverReporters(
  ofKind(broad, 'DaemonSet').map((manifest) => manifest.object),
  [],
).reporters[0]!;
const rule = (name: string, type: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name },
  spec: {
    conditions: [{ type, requiredStatus: 'True' }],
    taint: { key: `readiness.k8s.io/${name}`, effect: 'NoSchedule' },
    enforcementMode: 'continuous',
    nodeSelector: { matchLabels: labels },
  },
});

describe('reportersForNode', () => {
  const writer = (types: string[], kind = 'DaemonSet'): { reporter: Reporter } => ({
    reporter: { ...broadReporter, conditionTypes: types, workload: { ...broadReporter.workload, kind } },
  });
  const calico = writer(['projectcalico.org/CalicoReady']);
  const gpu = writer(['example.com/GPUReady']);
  const unknownDaemonSet = writer([]);
  const unknownDeployment = writer([], 'Deployment');
  const all = [calico, gpu, unknownDaemonSet, unknownDeployment];
  const cases: [string, unknown, unknown[], { reporter: Reporter }[]][] = [
    [
      'the node carries the condition',
      node('n', { conditions: [condition('projectcalico.org/CalicoReady', 'True')] }),
      [],
      [calico, unknownDaemonSet],
    ],
    [
      'a selecting rule requires it, not yet written',
      node('n', { labels: { gpu: 'yes' } }),
      [rule('gpu', 'example.com/GPUReady', { gpu: 'yes' })],
      [gpu, unknownDaemonSet],
    ],
    ['a rule that does not select the node', node('n'), [rule('gpu', 'example.com/GPUReady', { gpu: 'yes' })], [unknownDaemonSet]],
    ['a node without status', { metadata: { name: 'bare' } }, [], [unknownDaemonSet]],
  ];
  for (const [name, target, rules, expected] of cases) it(name, () => assert.deepEqual(reportersForNode(all, target, rules), expected));
});

describe('nodePosture', () => {
  const cases: [Posture[], Posture | null, string, Posture[]][] = [
    [[], null, 'No reporters', []],
    [['constrained'], 'constrained', 'Constrained', []],
    [['constrained', 'broad', 'unverified', 'broad'], 'broad', 'Broad RBAC', ['unverified', 'constrained']],
    [['unverified', 'misconfigured'], 'misconfigured', 'Misconfigured', ['unverified']],
  ];
  for (const [postures, worst, title, others] of cases)
    it(`${postures.join(',') || 'none'} → ${title}`, () => assert.deepEqual(nodePosture(postures), { posture: worst, title, others }));
});

describe('verification', () => {
  const rbac = rbacFrom(broad);
  const nodes = [node('node-a', { conditions: [condition('projectcalico.org/CalicoReady', 'True')] }), node('node-b')];
  const names = sampleNodes(nodes);
  const assessment = assessReporter(broadReporter, {
    answers: answerPostureQuestions(postureQuestions(broadReporter.serviceAccount, names), rbacAnswerer(rbac)),
    rbac,
    nodes: names,
  });
  const facts = { gitVersion: 'v1.36.3', featureMetric: 1 } as const;

  it('fails on a broad reporter, worst findings first, with its remediation', () => {
    const result = verification({ facts, assessments: [assessment], rules: [], nodes, notes: [] });
    assert.equal(result.passed, false);
    assert.equal(result.findings[0]!.severity, 'fail');
    assert.deepEqual(
      result.remediations.map((entry) => entry.reporter.serviceAccount),
      [broadReporter.serviceAccount],
    );
    assert.match(result.counts, /^\d+ fail, \d+ warn, \d+ info, \d+ pass$/);
  });

  it('warns when no reporter was found, citing the notes', () => {
    const result = verification({ facts, assessments: [], rules: [], nodes, notes: ['not allowed to list daemonsets'] });
    const finding = result.findings.find((entry) => entry.id === 'reporters');
    assert.deepEqual(finding?.evidence, ['not allowed to list daemonsets']);
    assert.equal(result.remediations.length, 0);
  });

  it('adds coverage findings for the rules', () => {
    const result = verification({
      facts,
      assessments: [assessment],
      rules: [rule('network', 'projectcalico.org/CalicoReady')],
      nodes,
      notes: [],
    });
    const coverage = result.findings.find((entry) => entry.id === 'condition-coverage');
    assert.equal(coverage?.title, 'projectcalico.org/CalicoReady is missing on 1 of 2 targeted nodes');
  });
});
